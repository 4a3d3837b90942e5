using System.Globalization;
using CdmNotebooks.Composition.Registry;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Experiments;

namespace CdmNotebooks.Cluster;

/// <summary>One shard's line of <see cref="ClusterStatus"/>.</summary>
/// <param name="Shard">Index in the split (= array task ID).</param>
/// <param name="Name">Registry name, SPLIT.sI.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Detail">Version and size once registered; queue reason, training step or the failure's last log line otherwise.</param>
public sealed record ClusterShardStatus(int Shard, string Name, ClusterShardState State, string Detail);

/// <summary>The state of a submission: each shard from the registry and Slurm, the compose job, and the routers now active.</summary>
/// <param name="Submission">What was submitted.</param>
/// <param name="Shards">One line per submitted shard.</param>
/// <param name="Compose">The compose job's Slurm state and reason, or what its log says once Slurm has forgotten it.</param>
/// <param name="Routers">Routers active in the registry.</param>
public sealed record ClusterStatus(ClusterSubmission Submission, IReadOnlyList<ClusterShardStatus> Shards, string Compose, IReadOnlyList<RouterManifest> Routers)
{
    /// <summary>True when a shard failed, is unaccounted for or conflicts, or the compose job failed.</summary>
    public bool HasFailures =>
        Shards.Any(s => s.State is ClusterShardState.Failed or ClusterShardState.Unknown or ClusterShardState.Conflict) || Compose.StartsWith("failed", StringComparison.Ordinal);

    /// <summary>Reads the status of <paramref name="submission"/> from its registry, its split and Slurm.</summary>
    public static ClusterStatus Read(ClusterSubmission submission, SlurmClient slurm)
    {
        ArgumentNullException.ThrowIfNull(submission);
        ArgumentNullException.ThrowIfNull(slurm);
        var spec = submission.Spec;
        var registry = new ShardRegistry(spec.Registry);
        var index = registry.ReadIndex();
        var active = registry.ActiveShards(index).ToDictionary(s => s.Name, StringComparer.Ordinal);
        var split = ShardSplit.Load(spec.Split, Path.Combine(spec.Home, "data-manifests"));
        var tasks = slurm.Jobs(submission.ShardsJobId);
        var shards = new List<ClusterShardStatus>();
        foreach (var shard in spec.Shards)
        {
            var name = $"{spec.Split}.s{shard}";
            var identity = split.DataIdentity(shard);
            var task = tasks.FirstOrDefault(t => t.ArrayTasks.Contains(shard));
            shards.Add(active.TryGetValue(name, out var manifest)
                ? manifest.DataIdentity == identity
                    ? new ClusterShardStatus(shard, name, ClusterShardState.Registered,
                        $"{manifest.Key}, {manifest.SampleCount:N0} samples, data {identity[..12]}, {manifest.CreatedUtc:u}{Restarts(task)}")
                    : new ClusterShardStatus(shard, name, ClusterShardState.Conflict,
                        $"{manifest.Key} is active with data {manifest.DataIdentity[..12]}, not the split's {identity[..12]}: forget it or train under another split name")
                : task is null
                    ? new ClusterShardStatus(shard, name, ClusterShardState.Unknown,
                        $"not registered and no longer known to Slurm; log: {LastLine(SlurmScripts.ShardLog(spec, shard))}")
                    : Unregistered(spec, registry, shard, name, task));
        }

        var compose = slurm.Jobs(submission.ComposeJobId).FirstOrDefault() is { } job
            ? job.State switch
            {
                "COMPLETED" => "completed",
                "PENDING" => $"pending ({job.Reason})",
                _ when job.Finished => $"failed: {job.State} (exit {job.ExitCode}); log: {LastLine(SlurmScripts.ComposeLog(spec))}",
                _ => job.State.ToLowerInvariant(),
            }
            : $"no longer known to Slurm; log: {LastLine(SlurmScripts.ComposeLog(spec))}";
        return new ClusterStatus(submission, shards, compose, registry.ActiveRouters(index));
    }

    private static ClusterShardStatus Unregistered(ClusterJobSpec spec, ShardRegistry registry, int shard, string name, SlurmJobState task) => task.State switch
    {
        "PENDING" => new ClusterShardStatus(shard, name, ClusterShardState.Pending, $"{task.Reason}{Restarts(task)}"),
        "COMPLETED" => new ClusterShardStatus(shard, name, ClusterShardState.Failed,
            $"the task completed without registering the shard; log: {LastLine(SlurmScripts.ShardLog(spec, shard))}"),
        _ when task.Finished => new ClusterShardStatus(shard, name, ClusterShardState.Failed,
            $"{task.State} (exit {task.ExitCode}); log: {LastLine(SlurmScripts.ShardLog(spec, shard))}"),
        _ => new ClusterShardStatus(shard, name, ClusterShardState.Running, $"{task.State.ToLowerInvariant()}, {Progress(registry, name)}{Restarts(task)}"),
    };

    // The newest checkpoint of the shard's unfinished training in the registry's model cache (a folder per model key, without trained.json
    // until done); the checkpoint header names the split and shard it trains.
    private static string Progress(ShardRegistry registry, string name)
    {
        var steps = Directory.Exists(registry.TrainingRoot)
            ? Directory.EnumerateDirectories(registry.TrainingRoot)
                .Where(d => !File.Exists(Path.Combine(d, ModelCache.DoneFile)))
                .Select(d => Checkpoint.List(d).FirstOrDefault())
                .OfType<string>()
                .Select(HeaderOrNull)
                .Where(h => h is not null && $"{h.Data.Split}.s{h.Data.Shard}" == name)
                .Select(h => h!.Step)
                .ToList()
            : [];
        return steps.Count > 0 ? $"checkpoint at step {steps.Max()}" : "no checkpoint yet";
    }

    // The trainer prunes old checkpoints while it runs: one gone between listing and reading is skipped.
    private static CheckpointHeader? HeaderOrNull(string path)
    {
        try
        {
            return Checkpoint.ReadHeader(path);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            return null;
        }
    }

    private static string Restarts(SlurmJobState? task) => task is { Restarts: > 0 } ? $", requeued {task.Restarts}x" : "";

    // The line that says why: cdm's own one-line failure if there is one, else the last line.
    private static string LastLine(string log)
    {
        if (!File.Exists(log))
        {
            return $"{log} (not written yet)";
        }

        var lines = File.ReadAllLines(log).Where(l => l.Trim().Length > 0).ToList();
        var line = lines.LastOrDefault(l => l.StartsWith("cdm:", StringComparison.Ordinal)) ?? lines.LastOrDefault() ?? "(empty)";
        return $"{line.Trim()} ({log})";
    }
}
