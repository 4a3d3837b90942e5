using CdmNotebooks.Reporting;
using CsvHelper;

namespace CdmNotebooks.Experiments.Continual;

/// <summary>The key both continual files share: one router kind after one addition, in one run.</summary>
public interface IContinualKey : IRunRow
{
    /// <summary>The dataset.</summary>
    string Dataset { get; }

    /// <summary>The split scheme.</summary>
    string Scheme { get; }

    /// <summary>Shards present after the addition.</summary>
    int ShardsPresent { get; }

    /// <summary>The router kind's name.</summary>
    string Router { get; }
}

/// <summary>One row of continual.csv: one router kind's composition of the shards present after an addition, measured.</summary>
/// <param name="Dataset">The dataset.</param>
/// <param name="Scheme">The split scheme.</param>
/// <param name="ShardsPresent">Shards present after the addition.</param>
/// <param name="Method">cdm-{router}.</param>
/// <param name="Router">The router kind's name.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Profile">The run's profile.</param>
/// <param name="Metrics">FID, KID and conditional accuracy of its samples.</param>
/// <param name="SampleSeconds">Sampling time.</param>
/// <param name="SamplerSteps">Sampler steps per sample.</param>
/// <param name="Composition">dense, sparse or "single model".</param>
[CsvRecord]
public sealed partial record ContinualRow(
    [property: CsvColumn("dataset")] string Dataset,
    [property: CsvColumn("scheme")] string Scheme,
    [property: CsvColumn("shards_present")] int ShardsPresent,
    [property: CsvColumn("method")] string Method,
    [property: CsvColumn("router")] string Router,
    [property: CsvColumn("seed")] int Seed,
    [property: CsvColumn("profile")] string Profile,
    [property: CsvColumn(Prefix = "")] EvaluationRow Metrics,
    [property: CsvColumn("sample_seconds")] double SampleSeconds,
    [property: CsvColumn("sampler_steps")] int SamplerSteps,
    [property: CsvColumn("composition")] string Composition) : IContinualKey;

/// <summary>One row of costs.csv: what one addition cost one router kind (the new shard's training is shared by every kind).</summary>
/// <param name="Dataset">The dataset.</param>
/// <param name="Scheme">The split scheme.</param>
/// <param name="ShardsPresent">Shards present after the addition.</param>
/// <param name="NewShard">The shard added.</param>
/// <param name="Router">The router kind's name.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Profile">The run's profile.</param>
/// <param name="ShardTrainSteps">The new shard's training steps.</param>
/// <param name="ShardTrainSeconds">Its training time.</param>
/// <param name="ShardFromCache">Whether it came from the model cache.</param>
/// <param name="RouterUpdateSeconds">The router's update time.</param>
/// <param name="RouterUpdate">What the update did.</param>
/// <param name="RouterShardsTouched">Shards whose router parts were trained.</param>
[CsvRecord]
public sealed partial record ContinualCostRow(
    [property: CsvColumn("dataset")] string Dataset,
    [property: CsvColumn("scheme")] string Scheme,
    [property: CsvColumn("shards_present")] int ShardsPresent,
    [property: CsvColumn("new_shard")] int NewShard,
    [property: CsvColumn("router")] string Router,
    [property: CsvColumn("seed")] int Seed,
    [property: CsvColumn("profile")] string Profile,
    [property: CsvColumn("shard_train_steps")] int ShardTrainSteps,
    [property: CsvColumn("shard_train_seconds")] double ShardTrainSeconds,
    [property: CsvColumn("shard_from_cache")] bool ShardFromCache,
    [property: CsvColumn("router_update_seconds")] double RouterUpdateSeconds,
    [property: CsvColumn("router_update")] string RouterUpdate,
    [property: CsvColumn("router_shards_touched")] int RouterShardsTouched) : IContinualKey;
