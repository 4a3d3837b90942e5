using System.Text;
using CdmNotebooks.Composition;

namespace CdmNotebooks.Cluster;

/// <summary>Renders the two sbatch scripts of a <see cref="ClusterJobSpec"/>: the shard array job and the compose job that depends on it.</summary>
public static class SlurmScripts
{
    /// <summary>File name of the array job script in the job folder.</summary>
    public const string ShardsFile = "shards.sbatch";

    /// <summary>File name of the compose job script in the job folder.</summary>
    public const string ComposeFile = "compose.sbatch";

    /// <summary>Log of array task <paramref name="shard"/>, appended to by every attempt (requeues included).</summary>
    public static string ShardLog(ClusterJobSpec spec, int shard) => Path.Combine(spec.JobDirectory, "logs", $"shard-{shard}.log");

    /// <summary>Log of the compose job.</summary>
    public static string ComposeLog(ClusterJobSpec spec) => Path.Combine(spec.JobDirectory, "logs", "compose.log");

    /// <summary>Folder the compose job writes its samples to (samples.pt and classes.txt, as `cdm eval` reads them).</summary>
    public static string SamplesDirectory(ClusterJobSpec spec) => Path.Combine(spec.JobDirectory, "samples");

    /// <summary>The array job: task i runs `cdm shard add` for shard i of the split into the shared registry.</summary>
    public static string Shards(ClusterJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var script = Header(spec, $"{spec.JobName}-shards", Path.Combine(spec.JobDirectory, "logs", "shard-%a.log"),
            $"One array task per shard of {spec.Split}: task i trains shard i and adds it to the registry.", $"#SBATCH --array={spec.ArraySpec}");
        script.AppendLine("echo \"cdm cluster: shard $SLURM_ARRAY_TASK_ID of " + spec.Split + " on $(hostname), attempt $(( ${SLURM_RESTART_COUNT:-0} + 1 )), $(date -u +%FT%TZ)\"");
        script.AppendLine("# A requeued or restarted task runs this again: shard add resumes from the newest checkpoint and does nothing once the shard is registered.");
        var words = new List<string>(spec.Cdm) { "shard", "add", "--registry", spec.Registry, "--split", spec.Split };
        var tail = new List<string> { "--profile", spec.Profile, "--user", spec.User };
        if (spec.CheckpointEvery is int every)
        {
            tail.AddRange(["--checkpoint-every", every.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        tail.AddRange(DeviceWords(spec));
        script.AppendLine("exec " + Join(words) + " --shard \"$SLURM_ARRAY_TASK_ID\" " + Join(tail));
        return script.ToString();
    }

    /// <summary>The compose job (submitted with afterok on the array): trains each router kind over every active shard, samples the composition and scores it.</summary>
    public static string Compose(ClusterJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var script = Header(spec, $"{spec.JobName}-compose", ComposeLog(spec),
            $"Runs after every shard task of {spec.Split} succeeded: routers over all active shards, then samples of the composition.");
        script.AppendLine("echo \"cdm cluster: compose " + spec.Split + " on $(hostname), $(date -u +%FT%TZ)\"");
        foreach (var kind in spec.RouterKinds)
        {
            script.AppendLine(Join([.. spec.Cdm, "router", "train", "--registry", spec.Registry, "--kind", kind.Name(), "--profile", spec.Profile, .. DeviceWords(spec)]));
        }

        var samples = SamplesDirectory(spec);
        script.AppendLine(Join([.. spec.Cdm, "compose", "sample", "--registry", spec.Registry, "--router", spec.ComposeRouter.Name(),
            "--count", spec.SampleCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--out", Path.Combine(spec.JobDirectory, "samples.png"), "--samples-out", samples, .. DeviceWords(spec)]));
        if (spec.Evaluate)
        {
            script.AppendLine(Join([.. spec.Cdm, "eval", "--samples", Path.Combine(samples, "samples.pt"), "--classes", Path.Combine(samples, "classes.txt"),
                "--dataset", spec.Dataset]));
        }

        script.AppendLine("echo \"cdm cluster: composition of " + spec.Split + " done, $(date -u +%FT%TZ)\"");
        return script.ToString();
    }

    /// <summary>Quotes <paramref name="word"/> for bash: as is when it holds only safe characters, else in single quotes.</summary>
    public static string Quote(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or ':' or '=' or '@' or '+' or ',')
            ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static StringBuilder Header(ClusterJobSpec spec, string name, string output, string purpose, params string[] extra)
    {
        var script = new StringBuilder();
        script.AppendLine("#!/bin/bash");
        script.AppendLine($"# Written by `cdm cluster submit` for {spec.Split} ({spec.Profile} profile). {purpose}");
        script.AppendLine($"#SBATCH --job-name={name}");
        foreach (var line in extra)
        {
            script.AppendLine(line);
        }

        script.AppendLine($"#SBATCH --cpus-per-task={spec.CpusPerTask}");
        script.AppendLine($"#SBATCH --time={spec.Time}");
        if (spec.Partition is { } partition)
        {
            script.AppendLine($"#SBATCH --partition={partition}");
        }

        if (spec.Account is { } account)
        {
            script.AppendLine($"#SBATCH --account={account}");
        }

        if (spec.Memory is { } memory)
        {
            script.AppendLine($"#SBATCH --mem={memory}");
        }

        if (spec.GpusPerTask > 0)
        {
            script.AppendLine($"#SBATCH --gpus-per-task={spec.GpusPerTask}");
        }

        script.AppendLine("#SBATCH --requeue");
        script.AppendLine("#SBATCH --open-mode=append");
        script.AppendLine($"#SBATCH --output={output}");
        foreach (var option in spec.ExtraSbatchOptions)
        {
            script.AppendLine($"#SBATCH {option}");
        }

        script.AppendLine("set -euo pipefail");
        script.AppendLine("# One torch thread per allotted core: oversubscribed cores collapse throughput.");
        script.AppendLine($"export OMP_NUM_THREADS=\"${{SLURM_CPUS_PER_TASK:-{spec.CpusPerTask}}}\"");
        script.AppendLine($"export CDM_HOME={Quote(spec.Home)}");
        return script;
    }

    private static IEnumerable<string> DeviceWords(ClusterJobSpec spec) => spec.GpusPerTask > 0 ? ["--device", "cuda"] : [];

    private static string Join(IEnumerable<string> words) => string.Join(' ', words.Select(Quote));
}
