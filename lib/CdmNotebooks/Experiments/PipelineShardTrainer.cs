using System.Text.Json;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Protection;

namespace CdmNotebooks.Experiments;

/// <summary>The registry's shard trainer backed by <see cref="CdmPipeline.TrainShard"/> in one training regime: a shard retrained without some IDs is the same recipe (and base) on fewer samples, cached and timed like every other training.</summary>
public sealed class PipelineShardTrainer : IShardTrainer
{
    private readonly CdmPipeline _pipeline;
    private readonly ShardSplit _split;
    private readonly TrainingRegime? _regime;
    private readonly Dictionary<string, long> _labels;
    private readonly List<ShardTraining> _trainings = [];

    /// <summary>Trains shards of <paramref name="split"/>, named <see cref="ShardName"/>, in <paramref name="regime"/> (scratch when null).</summary>
    public PipelineShardTrainer(CdmPipeline pipeline, ShardSplit split, TrainingRegime? regime = null)
    {
        _regime = regime;
        _pipeline = pipeline ?? throw new ArgumentNullException(nameof(pipeline));
        _split = split ?? throw new ArgumentNullException(nameof(split));
        var train = pipeline.Train(split.Dataset);
        _labels = train.Ids.Select((id, i) => (id, train.Labels[i])).ToDictionary(p => p.id, p => p.Item2, StringComparer.Ordinal);
    }

    /// <summary>Every training this trainer ran or reused, in call order.</summary>
    public IReadOnlyList<ShardTraining> Trainings => _trainings;

    /// <summary>The registry name of shard <paramref name="shard"/> of <paramref name="split"/>, e.g. <c>fashion-mnist-uniform-8.s3</c>.</summary>
    public static string ShardName(ShardSplit split, int shard) => $"{split.Name}.s{shard}";

    /// <summary>The split index of a shard named by <see cref="ShardName"/>.</summary>
    public int IndexOf(string shardName)
    {
        var prefix = _split.Name + ".s";
        if (!shardName.StartsWith(prefix, StringComparison.Ordinal) || !int.TryParse(shardName.AsSpan(prefix.Length), out var shard) || shard < 0 || shard >= _split.ShardCount)
        {
            throw new ArgumentException($"Shard '{shardName}' is not one of {_split.Name}'s shards ({prefix}0 .. {prefix}{_split.ShardCount - 1}).", nameof(shardName));
        }

        return shard;
    }

    /// <summary>Trains (or reuses) the shard on <paramref name="sampleIds"/>, which must be a subset of its split shard, and copies the checkpoint to <paramref name="checkpointPath"/>.</summary>
    public ShardTrainingOutcome Train(string shardName, IReadOnlyList<string> sampleIds, string checkpointPath, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var shard = IndexOf(shardName);
        var all = _split.IdsOfShard(shard);
        var keep = sampleIds.ToHashSet(StringComparer.Ordinal);
        var foreign = keep.Except(all, StringComparer.Ordinal).Take(3).ToList();
        if (foreign.Count > 0)
        {
            throw new ArgumentException(
                $"Shard '{shardName}' can only be retrained on a subset of its split shard; IDs {string.Join(", ", foreign)} are not in it.", nameof(sampleIds));
        }

        var excluded = all.Where(id => !keep.Contains(id)).ToHashSet(StringComparer.Ordinal);
        var model = _pipeline.TrainShard(_split, shard, excluded.Count == 0 ? null : excluded, _regime);
        File.Copy(model.CheckpointPath, checkpointPath, overwrite: false);
        _trainings.Add(new ShardTraining(shardName, excluded.Count, model));
        var config = Checkpoint.ReadHeader(model.CheckpointPath).Config;
        var counts = new int[10];
        foreach (var id in sampleIds)
        {
            counts[_labels[id]]++;
        }

        return new ShardTrainingOutcome(JsonSerializer.SerializeToElement(config, Checkpoint.JsonOptions), counts);
    }
}
