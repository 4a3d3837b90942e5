using System.Diagnostics;
using System.Text.RegularExpressions;
using CdmNotebooks.Composition;
using CdmNotebooks.Composition.Registry;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Tests.Cli;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.Cluster;

/// <summary>
/// The README's cluster path against a real Slurm: `cdm cluster submit` trains a smoke split's shards as an array job into one registry and
/// composes them in a job that waits for all of them; a task requeued mid-training resumes and registers the same model as an uninterrupted run.
/// </summary>
[Trait("Category", "Slurm")]
public sealed partial class SlurmClusterTests : IClassFixture<SlurmTestCluster>, IDisposable
{
    private const string Split = "mnist10k-uniform-8";
    private const int Requeued = 3;
    private static readonly string[] Shards = ["0", "1", "2", "3"];
    private readonly SlurmTestCluster _cluster;
    private readonly string _root = Directory.CreateTempSubdirectory("cdm-cluster-test-").FullName;

    public SlurmClusterTests(SlurmTestCluster cluster) => _cluster = cluster;

    [Fact]
    public void ArrayJobRegistersEveryShardResumesARequeuedTaskAndComposesAfterAll()
    {
        var registryRoot = Path.Combine(_root, "registry");
        var jobDir = Path.Combine(_root, "job");
        // Checkpoints every 5 of the shard's 38 smoke steps, so the requeue below lands mid-training with a checkpoint to resume from.
        var submit = Cdm(["cluster", "submit", "--split", Split, "--shards", .. Shards, "--registry", registryRoot, "--job-dir", jobDir, "--profile", "smoke",
            "--cpus-per-task", "1", "--checkpoint-every", "5", "--samples", "20", "--router-kinds", "classifier"]);
        Assert.True(submit.Code == 0, $"cdm cluster submit failed ({submit.Code}):\n{submit.Stdout}{submit.Stderr}");
        var arrayJob = ArrayJob().Match(submit.Stdout).Groups[1].Value;
        var composeJob = ComposeJob().Match(submit.Stdout).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(arrayJob) || string.IsNullOrEmpty(composeJob), $"no job IDs in:\n{submit.Stdout}");

        var registry = new ShardRegistry(registryRoot);
        var name = $"{Split}.s{Requeued}";
        // The registry's model cache keeps one folder per model key; a checkpoint's header names the split and shard it trains.
        WaitFor(() => Directory.Exists(registry.TrainingRoot) && Directory.EnumerateFiles(registry.TrainingRoot, "step-*", SearchOption.AllDirectories)
            .Any(f => TryReadHeader(f) is { } h && $"{h.Data.Split}.s{h.Data.Shard}" == name), TimeSpan.FromMinutes(4), $"a checkpoint of {name}", jobDir);
        Assert.True(registry.ActiveShards().All(s => s.Name != name), $"{name} finished before it could be requeued; the test cannot show a resume");
        var requeue = _cluster.Run("scontrol", "requeue", $"{arrayJob}_{Requeued}");
        Assert.True(requeue.Code == 0, $"scontrol requeue failed: {requeue.Output}");
        // Slurm holds a requeued job back for two minutes (reason BeginTime); this test cannot wait that long. That hold is also what keeps
        // the killed attempt's completion report (its SIGTERM exit status) from landing on the next attempt: released while the old batch
        // step is still alive, the new attempt is marked FAILED by the old report and afterok fails the compose job. So the start time is
        // moved only once the killed attempt is gone: no slurmstepd left for the job and the job no longer COMPLETING.
        var taskJobId = JobId().Match(_cluster.Run("scontrol", "show", "job", "-o", $"{arrayJob}_{Requeued}").Output).Groups[1].Value;
        WaitFor(() => !BatchStepAlive(taskJobId)
                      && Regex.IsMatch(_cluster.Run("scontrol", "show", "job", "-o", $"{arrayJob}_{Requeued}").Output, @"JobState=PENDING\b"),
            TimeSpan.FromMinutes(2), "the killed attempt to be gone", jobDir);
        WaitFor(() =>
        {
            _cluster.Run("scontrol", "update", $"JobId={arrayJob}_{Requeued}", "StartTime=now");
            Thread.Sleep(250);
            return !Regex.IsMatch(_cluster.Run("scontrol", "show", "job", "-o", $"{arrayJob}_{Requeued}").Output, "JobState=(PENDING|COMPLETING|REQUEUED)");
        }, TimeSpan.FromMinutes(1), "the requeued task to start again", jobDir);
        WaitFor(() => Finished(composeJob), TimeSpan.FromMinutes(8), $"compose job {composeJob} to finish", jobDir);
        var composeState = _cluster.Run("scontrol", "show", "job", "-o", composeJob).Output;
        Assert.True(composeState.Contains("JobState=COMPLETED", StringComparison.Ordinal), $"compose job did not complete: {composeState}\n{Logs(jobDir)}\n--- slurmctld.log\n{_cluster.ControllerLog()}");

        // Every shard registered, with the split's data identity and a checkpoint that verifies.
        var split = ShardSplit.Load(Split);
        var active = registry.ActiveShards().ToDictionary(s => s.Name);
        Assert.Equal(Shards.Select(s => $"{Split}.s{s}").Order(), active.Keys.Order());
        foreach (var shard in Shards.Select(int.Parse))
        {
            var manifest = active[$"{Split}.s{shard}"];
            Assert.Equal(split.DataIdentity(shard), manifest.DataIdentity);
            Assert.True(File.Exists(registry.VerifiedPath(manifest.CheckpointFile, manifest.CheckpointSha256)));
        }

        // The router covers all four shards and was trained after the last of them was registered.
        var router = Assert.Single(registry.ActiveRouters());
        Assert.Equal(RouterKind.Classifier, router.Kind);
        Assert.Equal(active.Keys.Order(), router.ShardNames.Order());
        Assert.True(router.CreatedUtc > active.Values.Max(s => s.CreatedUtc), $"router {router.CreatedUtc:O} not after the last shard {active.Values.Max(s => s.CreatedUtc):O}");

        // The composition sampled, and its samples were scored.
        using (var samples = load(Path.Combine(jobDir, "samples", "samples.pt")))
        {
            Assert.Equal(new long[] { 20, 1, 28, 28 }, samples.shape);
            Assert.True(samples.isfinite().all().item<bool>());
        }

        Assert.Contains("conditional accuracy", File.ReadAllText(Path.Combine(jobDir, "logs", "compose.log")), StringComparison.Ordinal);

        // The requeued task was stopped mid-training and resumed from a checkpoint ...
        var log = File.ReadAllText(Path.Combine(jobDir, "logs", $"shard-{Requeued}.log"));
        Assert.Contains("DUE TO JOB REQUEUE", log, StringComparison.Ordinal);
        var resumedAt = int.Parse(Resumed().Match(log).Groups[1].Value is { Length: > 0 } step ? step : "0");
        var steps = Checkpoint.ReadHeader(registry.VerifiedPath(active[name].CheckpointFile, active[name].CheckpointSha256)).Step;
        Assert.True(resumedAt > 0 && resumedAt < steps, $"expected a resume strictly inside 0..{steps}, log:\n{log}");

        // ... and registered the model an uninterrupted run trains, bit for bit.
        var uninterrupted = Path.Combine(_root, "uninterrupted");
        var direct = Cdm(["shard", "add", "--registry", uninterrupted, "--split", Split, "--shard", $"{Requeued}", "--profile", "smoke", "--checkpoint-every", "5"]);
        Assert.True(direct.Code == 0, $"uninterrupted cdm shard add failed:\n{direct.Stdout}{direct.Stderr}");
        var reference = new ShardRegistry(uninterrupted).Shard(name);
        Assert.Equal(reference.DataIdentity, active[name].DataIdentity);
        AssertSameWeights(registry.VerifiedPath(active[name].CheckpointFile, active[name].CheckpointSha256),
            new ShardRegistry(uninterrupted).VerifiedPath(reference.CheckpointFile, reference.CheckpointSha256));

        // cdm cluster status reports the same, and that nothing failed.
        var status = Cdm(["cluster", "status", "--job-dir", jobDir]);
        Assert.True(status.Code == 0, $"cdm cluster status exit {status.Code}:\n{status.Stdout}{status.Stderr}");
        Assert.Contains("4/4 shards registered", status.Stdout, StringComparison.Ordinal);
        Assert.Contains("requeued 1x", status.Stdout, StringComparison.Ordinal);
        Assert.Contains("completed", status.Stdout, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A task Slurm has not yet reaped may still hold a log; the folder is a temp one.
        }
    }

    private static void AssertSameWeights(string a, string b)
    {
        foreach (var ema in new[] { true, false })
        {
            var first = Checkpoint.LoadDenoiser(a, useEma: ema);
            var second = Checkpoint.LoadDenoiser(b, useEma: ema);
            var left = first.Network.state_dict();
            var right = second.Network.state_dict();
            Assert.Equal(left.Keys.Order(), right.Keys.Order());
            foreach (var (key, tensor) in left)
            {
                Assert.True(tensor.shape.SequenceEqual(right[key].shape) && tensor.eq(right[key]).all().item<bool>(), $"{(ema ? "EMA" : "raw")} weight {key} differs between the requeued and the uninterrupted run");
            }
        }
    }

    private (int Code, string Stdout, string Stderr) Cdm(IEnumerable<string> arguments) =>
        CliProcess.Run(arguments, _root, new Dictionary<string, string> { ["SLURM_CONF"] = _cluster.Conf });

    private bool Finished(string job)
    {
        var output = _cluster.Run("scontrol", "show", "job", "-o", job).Output;
        return !Regex.IsMatch(output, @"JobState=(PENDING|RUNNING|CONFIGURING|COMPLETING|REQUEUED|SUSPENDED)");
    }

    private void WaitFor(Func<bool> condition, TimeSpan timeout, string what, string jobDir)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < timeout, $"gave up waiting {timeout.TotalMinutes} min for {what}.\n{_cluster.Run("squeue").Output}\n{Logs(jobDir)}\n--- slurmctld.log\n{_cluster.ControllerLog()}");
            Thread.Sleep(50);
        }
    }

    /// <summary>Whether a slurmstepd of job <paramref name="jobId"/> still runs on this (single) node.</summary>
    private static bool BatchStepAlive(string jobId)
    {
        using var pgrep = Process.Start(new ProcessStartInfo("pgrep", ["-f", $@"^slurmstepd: \[{jobId}\."]) { RedirectStandardOutput = true })!;
        pgrep.StandardOutput.ReadToEnd();
        pgrep.WaitForExit();
        return pgrep.ExitCode == 0;
    }

    private static string Logs(string jobDir) =>
        Directory.Exists(Path.Combine(jobDir, "logs"))
            ? string.Join("\n", Directory.GetFiles(Path.Combine(jobDir, "logs")).Order().Select(f => $"--- {Path.GetFileName(f)}\n{File.ReadAllText(f)}"))
            : "(no logs)";

    [GeneratedRegex(@"array job (\d+)")]
    private static partial Regex ArrayJob();

    [GeneratedRegex(@"\bJobId=(\d+)")]
    private static partial Regex JobId();

    [GeneratedRegex(@"composition as job (\d+)")]
    private static partial Regex ComposeJob();

    [GeneratedRegex(@"Resumed from \S+ at step (\d+)")]
    private static partial Regex Resumed();

    // A checkpoint being renamed into place or deleted by the trainer's pruning is skipped, not an error.
    private static CheckpointHeader? TryReadHeader(string path)
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
}
