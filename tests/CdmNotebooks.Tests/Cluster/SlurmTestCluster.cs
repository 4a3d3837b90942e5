using System.Diagnostics;
using CdmNotebooks.Data;

namespace CdmNotebooks.Tests.Cluster;

/// <summary>A real single-node Slurm cluster (munged, slurmctld, slurmd) brought up by environment/slurm/start.sh for the tests of one class, and stopped after them.</summary>
public sealed class SlurmTestCluster : IDisposable
{
    public SlurmTestCluster()
    {
        State = Directory.CreateTempSubdirectory("cdm-slurm-").FullName;
        var (code, output) = Script("start.sh");
        Assert.True(code == 0, $"environment/slurm/start.sh failed (exit {code}):\n{output}");
        Conf = output.Split('\n').Select(l => l.Trim()).Last(l => l.StartsWith("SLURM_CONF=", StringComparison.Ordinal))["SLURM_CONF=".Length..];
    }

    /// <summary>The cluster's state folder (configuration, daemon logs, spool).</summary>
    public string State { get; }

    /// <summary>Its slurm.conf: every Slurm command and cdm process of a test gets it as $SLURM_CONF.</summary>
    public string Conf { get; }

    /// <summary>Runs a Slurm command (scontrol, squeue ...) against this cluster; returns its exit code and output.</summary>
    public (int Code, string Output) Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["SLURM_CONF"] = Conf;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), $"{program} {string.Join(' ', arguments)} did not finish in a minute");
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    /// <summary>The last <paramref name="lines"/> lines of slurmctld's log (dependency decisions are logged): for the message of a failed test.</summary>
    public string ControllerLog(int lines = 60)
    {
        var path = Path.Combine(State, "slurmctld.log");
        return File.Exists(path) ? string.Join('\n', File.ReadLines(path).TakeLast(lines)) : "(no slurmctld.log)";
    }

    public void Dispose()
    {
        Script("stop.sh");
        try
        {
            Directory.Delete(State, recursive: true);
        }
        catch (IOException)
        {
            // slurmd may still be closing its spool files; the folder is a temp one.
        }
    }

    private (int Code, string Output) Script(string name)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, "environment", "slurm", name));
        start.ArgumentList.Add(State);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        // A first start may install slurm-wlm and munge from apt.
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), $"environment/slurm/{name} did not finish in 5 minutes");
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
