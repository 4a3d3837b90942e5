using System.Diagnostics;

namespace CdmNotebooks.Tests.Cli;

/// <summary>A training interrupted by SIGTERM (twice, as `timeout` forwarding to a child already signalled does) checkpoints where it stopped and exits 130 with one `cdm:` line.</summary>
public sealed class CliInterruptTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cdm-interrupt-").FullName;

    [Fact]
    public void TwoSigtermsCheckpointTheCurrentStepAndExit130()
    {
        // A shell plays the scheduler: it starts the training, waits for its first periodic checkpoint (smoke: every 10 steps),
        // signals it twice and reports its exit code. 1,000 smoke steps take over a minute, so the signal lands mid-training.
        var script = $"""
            OMP_NUM_THREADS=1 CI=true CDM_HOME='{CdmNotebooks.Data.RepositoryPaths.Root}' dotnet '{CliProcess.Dll}' train --dataset mnist10k --profile smoke --steps 1000 --out run 2> stderr.txt > stdout.txt &
            pid=$!
            for i in $(seq 600); do [ -e run/step-00000010.cdmckpt ] && break; sleep 0.1; done
            kill -TERM $pid; kill -TERM $pid
            wait $pid
            echo "exit=$?"
            """;
        var start = new ProcessStartInfo("bash", ["-c", script]) { WorkingDirectory = _root, RedirectStandardOutput = true };
        using var shell = Process.Start(start)!;
        var output = shell.StandardOutput.ReadToEnd();
        Assert.True(shell.WaitForExit(TimeSpan.FromMinutes(3)), "the interrupted training did not finish in 3 minutes");

        var stderr = File.ReadAllText(Path.Combine(_root, "stderr.txt"));
        Assert.True(output.Trim() == "exit=130", $"{output.Trim()}; stderr: {stderr}");
        Assert.Contains("cdm: interrupted; progress up to the last checkpoint is kept", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", stderr, StringComparison.Ordinal);
        var steps = Directory.GetFiles(Path.Combine(_root, "run"), "step-*.cdmckpt")
            .Select(f => int.Parse(Path.GetFileNameWithoutExtension(f)["step-".Length..], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.True(steps.Max() is >= 10 and < 1000, $"checkpoints at steps {string.Join(", ", steps)}");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
