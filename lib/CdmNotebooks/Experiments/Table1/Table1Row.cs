using CdmNotebooks.Reporting;
using CsvHelper;

namespace CdmNotebooks.Experiments.Table1;

/// <summary>The key of one block of Table 1 (regime, dataset, budget) that its rows and the convergence study's rows carry.</summary>
public interface IBlockRow
{
    /// <summary>The training regime's name.</summary>
    string Regime { get; }

    /// <summary>The dataset.</summary>
    string Dataset { get; }

    /// <summary>The block's paragon steps.</summary>
    int Budget { get; }
}

/// <summary>One row of table1.csv: one method of one split of one block, measured.</summary>
/// <param name="Regime">The training regime's name.</param>
/// <param name="Dataset">The dataset.</param>
/// <param name="Scheme">The split scheme ("all" for the paragon and the base).</param>
/// <param name="Shards">Shard count (1 for the paragon, 0 for the base, which saw none of the block's data).</param>
/// <param name="Method">paragon, base, cdm-{router}, cdm-random-pick, soup or single-shard.</param>
/// <param name="Router">The router's name, the shard a single-shard row used, or "-".</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Profile">The run's profile.</param>
/// <param name="Budget">The block's paragon steps.</param>
/// <param name="Metrics">FID, KID and conditional accuracy of its samples.</param>
/// <param name="TrainSteps">Training steps of the models the method uses (the sum over shards).</param>
/// <param name="TrainSeconds">Their training time.</param>
/// <param name="RouterSeconds">Training time of the router.</param>
/// <param name="SampleSeconds">Sampling time.</param>
/// <param name="SamplerSteps">Sampler steps per sample.</param>
/// <param name="Composition">dense, sparse or "single model".</param>
/// <param name="ShardEvaluations">Shard evaluations per sample-step of the last batch (1 for a single model); empty in rows made before it was recorded.</param>
[CsvRecord]
public sealed partial record Table1Row(
    [property: CsvColumn("regime")] string Regime,
    [property: CsvColumn("dataset")] string Dataset,
    [property: CsvColumn("scheme")] string Scheme,
    [property: CsvColumn("shards")] int Shards,
    [property: CsvColumn("method")] string Method,
    [property: CsvColumn("router")] string Router,
    [property: CsvColumn("seed")] int Seed,
    [property: CsvColumn("profile")] string Profile,
    [property: CsvColumn("budget")] int Budget,
    [property: CsvColumn(Prefix = "")] EvaluationRow Metrics,
    [property: CsvColumn("train_steps")] int TrainSteps,
    [property: CsvColumn("train_seconds")] double TrainSeconds,
    [property: CsvColumn("router_seconds")] double RouterSeconds,
    [property: CsvColumn("sample_seconds")] double SampleSeconds,
    [property: CsvColumn("sampler_steps")] int SamplerSteps,
    [property: CsvColumn("composition")] string Composition,
    [property: CsvColumn("shard_evaluations")] double? ShardEvaluations) : IBlockRow, IRunRow;

/// <summary>One row of floor.csv: the real-vs-real floor of each metric (a train subset against the test part) of one dataset.</summary>
/// <param name="Dataset">The dataset.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Profile">The run's profile.</param>
/// <param name="Metrics">The floor's metrics.</param>
[CsvRecord]
public sealed partial record FloorRow(
    [property: CsvColumn("dataset")] string Dataset,
    [property: CsvColumn("seed")] int Seed,
    [property: CsvColumn("profile")] string Profile,
    [property: CsvColumn(Prefix = "")] EvaluationRow Metrics) : IRunRow;
