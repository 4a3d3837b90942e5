using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using CdmNotebooks.Composition;

namespace CdmNotebooks.Cluster;

/// <summary>
/// What `cdm cluster submit` asks a Slurm cluster to do: train each listed shard of one split as one task of an array job into a
/// shared registry, then, in a job that starts only when every task succeeded, train the routers over them and sample (and score)
/// the composition. Immutable; saved with the job IDs in the job folder so `cdm cluster status` reads what was submitted.
/// </summary>
public sealed partial record ClusterJobSpec
{
    /// <summary>Split manifest name (e.g. mnist10k-uniform-8): shard i of the split is array task i.</summary>
    public required string Split { get; init; }

    /// <summary>The split's dataset (what the compose job scores samples against).</summary>
    public required string Dataset { get; init; }

    /// <summary>Shard indices to train, ascending and distinct.</summary>
    public required IReadOnlyList<int> Shards { get; init; }

    /// <summary>Absolute registry folder on storage every node sees.</summary>
    public required string Registry { get; init; }

    /// <summary>Absolute folder of the scripts, logs, samples and the submission record.</summary>
    public required string JobDirectory { get; init; }

    /// <summary>The shell words that run cdm on a compute node (e.g. the dotnet host and cdm.dll of this build).</summary>
    public required IReadOnlyList<string> Cdm { get; init; }

    /// <summary>The repository root on the nodes (CDM_HOME: committed manifests and the artifact cache).</summary>
    public required string Home { get; init; }

    /// <summary>Training profile of shards and routers (smoke, standard).</summary>
    public string Profile { get; init; } = "standard";

    /// <summary>Slurm partition, or null for the cluster's default.</summary>
    public string? Partition { get; init; }

    /// <summary>Slurm account to charge, or null for the user's default.</summary>
    public string? Account { get; init; }

    /// <summary>Wall-time limit of each task and of the compose job, in a format sbatch accepts (minutes, HH:MM:SS, D-HH:MM:SS ...).</summary>
    public string Time { get; init; } = "02:00:00";

    /// <summary>CPUs per task; torch uses exactly this many threads (OMP_NUM_THREADS), since oversubscribed cores collapse throughput.</summary>
    public int CpusPerTask { get; init; } = 2;

    /// <summary>Memory per task in sbatch's format (e.g. 8G), or null for the partition's default.</summary>
    public string? Memory { get; init; }

    /// <summary>GPUs per task; above 0 each task asks for that many and trains with --device cuda (needs the CUDA build of TorchSharp).</summary>
    public int GpusPerTask { get; init; }

    /// <summary>Checkpoint interval in optimizer steps (null: the profile's); a requeued task resumes from its newest checkpoint.</summary>
    public int? CheckpointEvery { get; init; }

    /// <summary>Router kinds the compose job trains over every active shard (classifier, compartmentalized), in order.</summary>
    public IReadOnlyList<RouterKind> RouterKinds { get; init; } = [RouterKind.Classifier];

    /// <summary>Router kind the compose job samples with: the first trained kind, or Ito weights (nothing to train) when none is.</summary>
    [JsonIgnore]
    public RouterKind ComposeRouter => RouterKinds.Count > 0 ? RouterKinds[0] : RouterKind.Ito;

    /// <summary>Samples the compose job draws (classes 0..9 in turn).</summary>
    public int SampleCount { get; init; } = 100;

    /// <summary>Whether the compose job scores its samples with `cdm eval` (FID, KID, conditional accuracy against the test part).</summary>
    public bool Evaluate { get; init; } = true;

    /// <summary>Who the audit log records as adding the shards.</summary>
    public string User { get; init; } = Environment.UserName;

    /// <summary>Extra sbatch options for both scripts, each one option as sbatch takes it (e.g. --qos=long or --constraint=avx512).</summary>
    public IReadOnlyList<string> ExtraSbatchOptions { get; init; } = [];

    /// <summary>Slurm job name prefix: cdm-SPLIT.</summary>
    [JsonIgnore]
    public string JobName => $"cdm-{Split}";

    /// <summary>The sbatch --array value: the shard indices, runs of consecutive ones as ranges (0-3,6).</summary>
    [JsonIgnore]
    public string ArraySpec
    {
        get
        {
            var parts = new List<string>();
            for (var i = 0; i < Shards.Count;)
            {
                var j = i;
                while (j + 1 < Shards.Count && Shards[j + 1] == Shards[j] + 1)
                {
                    j++;
                }

                parts.Add(i == j ? $"{Shards[i]}" : $"{Shards[i]}-{Shards[j]}");
                i = j + 1;
            }

            return string.Join(',', parts);
        }
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the option to fix when the specification cannot be submitted.</summary>
    public void Validate(int shardCount)
    {
        if (Shards.Count == 0)
        {
            throw new ArgumentException("--shards lists no shard: give at least one shard index (or leave it out for all of the split's).");
        }

        if (Shards.FirstOrDefault(s => s < 0 || s >= shardCount, -1) is var outside and not -1)
        {
            throw new ArgumentException($"--shards {outside} is not a shard of {Split}, which has shards 0..{shardCount - 1}.");
        }

        if (Shards.Distinct().Count() != Shards.Count || !Shards.SequenceEqual(Shards.Order()))
        {
            throw new ArgumentException($"--shards must be distinct and ascending (got {string.Join(' ', Shards)}).");
        }

        if (!Path.IsPathFullyQualified(Registry) || !Path.IsPathFullyQualified(JobDirectory) || !Path.IsPathFullyQualified(Home))
        {
            throw new ArgumentException("The registry, the job folder and CDM_HOME must be absolute paths: compute nodes do not start where you submit.");
        }

        // sbatch reads #SBATCH lines word by word, so a log path with white space would be cut short.
        if (JobDirectory.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"--job-dir '{JobDirectory}' contains white space, which #SBATCH --output cannot hold; choose a folder without spaces.");
        }

        if (!TimeFormat().IsMatch(Time))
        {
            throw new ArgumentException($"--time '{Time}' is not a Slurm time limit: use minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS (e.g. 02:00:00).");
        }

        if (CpusPerTask < 1 || GpusPerTask < 0 || SampleCount < 1 || CheckpointEvery is < 1)
        {
            throw new ArgumentException(
                $"--cpus-per-task ({CpusPerTask}) and --samples ({SampleCount}) must be at least 1, --gpus-per-task ({GpusPerTask}) at least 0, and --checkpoint-every ({CheckpointEvery}) at least 1.");
        }

        if (Memory is not null && !MemoryFormat().IsMatch(Memory))
        {
            throw new ArgumentException($"--mem '{Memory}' is not a Slurm memory size: use a number with an optional K, M, G or T suffix (e.g. 8G).");
        }

        foreach (var kind in RouterKinds)
        {
            if (!kind.IsTrained())
            {
                throw new ArgumentException($"--router-kinds {kind.Name()}: that kind has no trained weights; the compose job trains classifier or compartmentalized routers.");
            }
        }

        if (ExtraSbatchOptions.FirstOrDefault(o => !o.StartsWith('-') || o.Contains('\n')) is { } option)
        {
            throw new ArgumentException($"--sbatch-option '{option}' is not one sbatch option (write it as sbatch takes it, e.g. --qos=long).");
        }
    }

    [GeneratedRegex(@"^(\d+-)?\d+(:\d{1,2}){0,2}$")]
    private static partial Regex TimeFormat();

    [GeneratedRegex(@"^\d+[KMGT]?$", RegexOptions.IgnoreCase)]
    private static partial Regex MemoryFormat();
}
