using System.Text.Json;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Protection;

namespace CdmNotebooks.Experiments;

/// <summary>
/// The registry's one shard trainer, used by the experiments and by `cdm`: a shard named <c>&lt;split&gt;.s&lt;i&gt;</c> trains through
/// <see cref="CdmPipeline.TrainShard"/> in one training regime, so a shard retrained without some IDs is the same recipe (and base) on fewer
/// samples, cached, resumable and timed like every other training.
/// </summary>
public sealed class ShardTrainer : IShardTrainer
{
    private readonly CdmPipeline _pipeline;
    private readonly TrainingRegime? _regime;
    private readonly Func<TrainingConfig, TrainingConfig>? _recipe;
    private readonly Dictionary<string, ShardSplit> _splits = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, long>> _labels = new(StringComparer.Ordinal);
    private readonly List<ShardTraining> _trainings = [];

    /// <summary>Trains shards in <paramref name="regime"/> (scratch when null); <paramref name="recipe"/> changes their final configuration (e.g. a checkpoint interval).</summary>
    /// <param name="pipeline">Data, model cache, seeds and device of the run.</param>
    /// <param name="regime">Where every shard starts.</param>
    /// <param name="recipe">Applied after compute parity and the regime; the model cache keys the result.</param>
    /// <param name="splits">Splits built in memory; a shard of any other split is resolved from its manifest in <c>data-manifests/</c>.</param>
    public ShardTrainer(CdmPipeline pipeline, TrainingRegime? regime = null, Func<TrainingConfig, TrainingConfig>? recipe = null, params IEnumerable<ShardSplit> splits)
    {
        _pipeline = pipeline ?? throw new ArgumentNullException(nameof(pipeline));
        _regime = regime;
        _recipe = recipe;
        foreach (var split in splits)
        {
            _splits[split.Name] = split;
        }
    }

    /// <summary>Every training this trainer ran or reused, in call order.</summary>
    public IReadOnlyList<ShardTraining> Trainings => _trainings;

    /// <summary>The registry name of shard <paramref name="shard"/> of <paramref name="split"/>, e.g. <c>fashion-mnist-uniform-8.s3</c>.</summary>
    public static string ShardName(ShardSplit split, int shard)
    {
        ArgumentNullException.ThrowIfNull(split);
        return $"{split.Name}.s{shard}";
    }

    /// <summary>The split and index of a shard named by <see cref="ShardName"/>.</summary>
    public (ShardSplit Split, int Shard) Resolve(string shardName)
    {
        var dot = shardName.LastIndexOf(".s", StringComparison.Ordinal);
        if (dot <= 0 || !int.TryParse(shardName.AsSpan(dot + 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var shard))
        {
            throw new ArgumentException($"Shard '{shardName}' is not named <split>.s<index> (e.g. fashion-mnist-uniform-8.s3), so the split it belongs to is unknown.", nameof(shardName));
        }

        var name = shardName[..dot];
        if (!_splits.TryGetValue(name, out var split))
        {
            split = _splits[name] = ShardSplit.Load(name);
        }

        if (shard >= split.ShardCount)
        {
            throw new ArgumentException($"Shard '{shardName}' does not exist: split {name} has shards {name}.s0 .. {name}.s{split.ShardCount - 1}.", nameof(shardName));
        }

        return (split, shard);
    }

    /// <summary>Trains (or reuses) the shard on <paramref name="sampleIds"/>, which must be a subset of its split shard, and copies the checkpoint to <paramref name="checkpointPath"/>.</summary>
    public ShardTrainingOutcome Train(string shardName, IReadOnlyList<string> sampleIds, string checkpointPath, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (split, shard) = Resolve(shardName);
        var all = split.IdsOfShard(shard);
        var keep = sampleIds.ToHashSet(StringComparer.Ordinal);
        var foreign = keep.Except(all, StringComparer.Ordinal).Take(3).ToList();
        if (foreign.Count > 0)
        {
            throw new ArgumentException(
                $"Shard '{shardName}' can only be retrained on a subset of its split shard; IDs {string.Join(", ", foreign)} are not in it.", nameof(sampleIds));
        }

        var excluded = all.Where(id => !keep.Contains(id)).ToHashSet(StringComparer.Ordinal);
        var model = _pipeline.TrainShard(split, shard, excluded.Count == 0 ? null : excluded, _regime, recipe: _recipe);
        File.Copy(model.CheckpointPath, checkpointPath, overwrite: false);
        _trainings.Add(new ShardTraining(shardName, excluded.Count, model));
        var config = Checkpoint.ReadHeader(model.CheckpointPath).Config;
        if (!_labels.TryGetValue(split.Dataset, out var labels))
        {
            var train = _pipeline.Train(split.Dataset);
            labels = _labels[split.Dataset] = train.Ids.Select((id, i) => (id, train.Labels[i])).ToDictionary(p => p.id, p => p.Item2, StringComparer.Ordinal);
        }

        var counts = new int[10];
        foreach (var id in keep)
        {
            counts[labels[id]]++;
        }

        return new ShardTrainingOutcome(JsonSerializer.SerializeToElement(config, Checkpoint.JsonOptions), counts);
    }
}
