using System.Text.Json;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.Protection;

/// <summary>The real <see cref="IShardTrainer"/>: trains a UNet shard with the diffusion trainer on the images whose IDs are given.</summary>
public sealed class DiffusionShardTrainer : IShardTrainer
{
    private readonly Func<int, TrainingConfig> _configFor;
    private readonly LabeledImages _data;
    private readonly string _split;
    private readonly Device? _device;
    private readonly Action<string>? _log;
    private readonly string? _resumeRoot;

    /// <summary>Trains subsets of <paramref name="data"/> (not owned) of split <paramref name="split"/>, with the configuration <paramref name="configFor"/> gives for a subset size (compute parity).</summary>
    /// <remarks>
    /// With <paramref name="resumeRoot"/>, a training's own checkpoints live in a folder named after the shard and its model key under it, so a
    /// process that is killed or requeued and runs the same request again resumes from its newest checkpoint (the registry gives every attempt a
    /// new version folder, so checkpoints kept there would be lost to the retry). Without it they live beside the staged checkpoint.
    /// </remarks>
    public DiffusionShardTrainer(Func<int, TrainingConfig> configFor, LabeledImages data, string split, Device? device = null, Action<string>? log = null, string? resumeRoot = null)
    {
        _configFor = configFor ?? throw new ArgumentNullException(nameof(configFor));
        _data = data ?? throw new ArgumentNullException(nameof(data));
        _split = split;
        _device = device;
        _log = log;
        _resumeRoot = resumeRoot;
    }

    /// <inheritdoc />
    public ShardTrainingOutcome Train(string shardName, IReadOnlyList<string> sampleIds, string checkpointPath, CancellationToken cancellationToken)
    {
        using var subset = _data.SelectIds(sampleIds);
        using var labels = subset.LabelTensor();
        var identity = new TrainingDataIdentity(_data.Dataset, _split, shardName, DataIdentity.Of(sampleIds));
        var config = _configFor(sampleIds.Count);
        // The trainer checkpoints into its own folder (it keeps two files for resuming); the registry keeps only the final one.
        var work = _resumeRoot is null
            ? Path.Combine(Path.GetDirectoryName(checkpointPath)!, "training")
            : Path.Combine(_resumeRoot, $"{shardName}-{ModelKey.Of(config, identity)}");
        using (var trainer = new DiffusionTrainer(config, new TrainingData(subset.Images, labels, identity), work, _device, _log))
        {
            trainer.Train(cancellationToken: cancellationToken);
            var final = trainer.SaveCheckpoint() ?? trainer.LatestCheckpoint
                ?? throw new InvalidOperationException($"Training shard '{shardName}' produced no checkpoint in '{work}'.");
            File.Copy(final, checkpointPath, overwrite: true);
        }

        Directory.Delete(work, recursive: true);
        var counts = new int[10];
        foreach (var label in subset.Labels)
        {
            counts[label]++;
        }

        return new ShardTrainingOutcome(JsonSerializer.SerializeToElement(config, Checkpoint.JsonOptions), counts);
    }
}
