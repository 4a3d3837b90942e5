using System.Diagnostics;
using System.Text.Json;
using CdmNotebooks.Diffusion;
using CdmNotebooks.IO;

namespace CdmNotebooks.Experiments;

/// <summary>Trained diffusion models cached by (configuration, training-data identity): a re-run reuses them, an interrupted training resumes from its last checkpoint.</summary>
public sealed class ModelCache
{
    /// <summary>The file a model's folder holds once its training has finished.</summary>
    public const string DoneFile = "trained.json";

    public ModelCache(string root)
    {
        Root = root;
    }

    /// <summary>The folder holding one sub-folder per cached model.</summary>
    public string Root { get; }

    /// <summary>Whether a finished model for this configuration and data is cached.</summary>
    public bool Contains(TrainingConfig config, TrainingDataIdentity data) => File.Exists(Path.Combine(Root, ModelKey.Of(config, data), DoneFile));

    /// <summary>Returns the cached model, training (or resuming) it first if needed. <paramref name="data"/> is only invoked when training is needed.</summary>
    /// <remarks>
    /// <paramref name="baseModel"/> is the model <see cref="TrainingConfig.Base"/> names, when the configuration is a fine-tuning.
    /// <paramref name="snapshotSteps"/> keeps the checkpoint of each of those steps in the model's snapshots folder (<see cref="SnapshotPath"/>),
    /// for studies of the training itself (a convergence curve); a model cached without them is an error, not silently reused.
    /// </remarks>
    public TrainedModel GetOrTrain(
        TrainingConfig config, TrainingDataIdentity identity, Func<TrainingData> data, ExperimentRun? run = null, TrainedModel? baseModel = null,
        IReadOnlyList<int>? snapshotSteps = null)
    {
        var directory = Path.Combine(Root, ModelKey.Of(config, identity));
        var done = Path.Combine(directory, DoneFile);
        if (File.Exists(done))
        {
            var cached = JsonSerializer.Deserialize<TrainedModel>(File.ReadAllText(done), Checkpoint.JsonOptions)
                         ?? throw new InvalidDataException($"{done} is empty; delete the folder {directory} to retrain.");
            run?.Log($"  cached model {identity} ({cached.TrainSteps} steps, trained in {cached.TrainSeconds:F0} s)");
            var model = cached with { CheckpointPath = Path.Combine(directory, Path.GetFileName(cached.CheckpointPath)), FromCache = true };
            if (snapshotSteps?.Where(s => !File.Exists(SnapshotPath(model, s))).Select(s => (int?)s).FirstOrDefault() is int lacking)
            {
                throw new InvalidOperationException(
                    $"The cached model {identity} in {directory} has no snapshot of step {lacking}: it was trained without snapshots. Delete that folder to train it again with them.");
            }

            return model;
        }

        Directory.CreateDirectory(directory);
        using var trainingData = data();
        return Train(config, identity, trainingData, directory, done, run, baseModel?.CheckpointPath, snapshotSteps ?? []);
    }

    /// <summary>Where the snapshot of <paramref name="model"/> at <paramref name="step"/> is kept (see <see cref="GetOrTrain"/>).</summary>
    public static string SnapshotPath(TrainedModel model, int step)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Path.Combine(Path.GetDirectoryName(model.CheckpointPath)!, "snapshots", Checkpoint.FileName(step));
    }

    private static TrainedModel Train(
        TrainingConfig config, TrainingDataIdentity identity, TrainingData trainingData, string directory, string done, ExperimentRun? run, string? baseCheckpoint,
        IReadOnlyList<int> snapshotSteps)
    {
        if (trainingData.Identity.Identity != identity.Identity)
        {
            throw new InvalidOperationException($"The data supplied for {identity} has identity {trainingData.Identity.Identity}; the cache key was computed for {identity.Identity}.");
        }

        var clock = Stopwatch.StartNew();
        using var trainer = new DiffusionTrainer(config, trainingData, directory, run?.Device, run is null ? null : run.Log, baseCheckpoint);
        var resumedFrom = trainer.Step;
        run?.Log($"  training {identity}: {config.TrainSteps} steps" + (resumedFrom > 0 ? $" (resuming at step {resumedFrom})" : ""));
        // Training stops at each snapshot step, checkpoints and continues; the trainer draws every step's batch from that step's own
        // seed, so the snapshotted model is the one an uninterrupted run trains.
        var snapshots = Path.Combine(directory, "snapshots");
        foreach (var step in snapshotSteps.Where(s => s >= resumedFrom && s <= config.TrainSteps).Order())
        {
            trainer.Train(run?.TrainingProgress, run?.Cancellation ?? default, untilStep: step);
            // Step 0 (the base's or the initial weights) has no checkpoint until one is written.
            var current = trainer.LatestCheckpoint ?? trainer.SaveCheckpoint()!;
            Directory.CreateDirectory(snapshots);
            var copy = Path.Combine(snapshots, Checkpoint.FileName(step));
            File.Copy(current, copy + ".tmp", overwrite: true);
            File.Move(copy + ".tmp", copy, overwrite: true);
        }

        trainer.Train(run?.TrainingProgress, run?.Cancellation ?? default);
        var checkpoint = trainer.LatestCheckpoint ?? trainer.SaveCheckpoint()
                         ?? throw new InvalidOperationException($"Training {identity} wrote no checkpoint.");
        // Previously spent time (before an interruption) is not known here; the record says whether the run resumed.
        var model = new TrainedModel(checkpoint, identity, config.TrainSteps, clock.Elapsed.TotalSeconds, resumedFrom, FromCache: false);
        AtomicFile.WriteAllText(done, JsonSerializer.Serialize(model, Checkpoint.JsonOptions) + "\n");
        return model;
    }
}

