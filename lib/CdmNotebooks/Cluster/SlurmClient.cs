using System.ComponentModel;
using System.Diagnostics;

namespace CdmNotebooks.Cluster;

/// <summary>Talks to Slurm through its own commands (sbatch, scontrol), as a user at a login node would; Slurm finds its cluster from its usual configuration or $SLURM_CONF.</summary>
public sealed class SlurmClient
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(1);

    /// <summary>Submits <paramref name="script"/>; with <paramref name="afterOk"/>, the job starts only after that job (every task of an array) completed successfully and is cancelled if one fails. Returns the job ID.</summary>
    public string Submit(string script, string? afterOk = null)
    {
        var arguments = new List<string> { "--parsable" };
        if (afterOk is not null)
        {
            arguments.Add($"--dependency=afterok:{afterOk}");
            // Without it a compose job whose shard task failed would wait forever with reason DependencyNeverSatisfied.
            arguments.Add("--kill-on-invalid-dep=yes");
        }

        arguments.Add(script);
        var (code, stdout, stderr) = Run("sbatch", arguments);
        if (code != 0)
        {
            throw new InvalidOperationException($"sbatch refused {script} (exit {code}): {FirstLine(stderr, stdout)}");
        }

        // --parsable prints "jobid" or "jobid;cluster".
        var id = stdout.Trim().Split(';')[0];
        if (id.Length == 0 || !id.All(char.IsAsciiDigit))
        {
            throw new InvalidOperationException($"sbatch accepted {script} but printed '{stdout.Trim()}' instead of a job ID.");
        }

        return id;
    }

    /// <summary>The records Slurm still holds for job <paramref name="jobId"/> (every task of an array); empty once Slurm has forgotten the job (after MinJobAge).</summary>
    public IReadOnlyList<SlurmJobState> Jobs(string jobId)
    {
        var (code, stdout, stderr) = Run("scontrol", ["show", "job", "-o", jobId]);
        if (code != 0)
        {
            return stderr.Contains("Invalid job id", StringComparison.OrdinalIgnoreCase)
                ? []
                : throw new InvalidOperationException($"scontrol show job {jobId} failed (exit {code}): {FirstLine(stderr, stdout)}");
        }

        return SlurmJobState.Parse(stdout);
    }

    private static (int Code, string Stdout, string Stderr) Run(string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        }
        catch (Win32Exception)
        {
            throw new InvalidOperationException(
                $"{program} was not found on PATH: run cdm cluster on a login node of your Slurm cluster, or add --dry-run to only write the scripts.");
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(CommandTimeout))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{program} did not answer within {CommandTimeout.TotalSeconds:F0} s: is slurmctld reachable (scontrol ping)?");
            }

            return (process.ExitCode, stdout.Result, stderr.Result);
        }
    }

    private static string FirstLine(string stderr, string stdout) =>
        (stderr.Trim().Length > 0 ? stderr : stdout).Trim().Split('\n')[0];
}
