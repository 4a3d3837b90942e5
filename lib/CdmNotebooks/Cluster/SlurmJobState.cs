namespace CdmNotebooks.Cluster;

/// <summary>One job record as `scontrol show job -o` prints it: a plain job, or one array task (or a run of pending tasks Slurm keeps as one record).</summary>
/// <param name="JobId">The record's own job ID.</param>
/// <param name="ArrayJobId">The array's job ID, or null for a plain job.</param>
/// <param name="ArrayTasks">The array task IDs this record stands for (empty for a plain job).</param>
/// <param name="State">JobState, e.g. PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT.</param>
/// <param name="Reason">Why it waits or ended (Reason=), e.g. Dependency, Resources, NonZeroExitCode.</param>
/// <param name="ExitCode">ExitCode= as Slurm prints it, "exit:signal".</param>
/// <param name="Restarts">How often it was requeued.</param>
public sealed record SlurmJobState(string JobId, string? ArrayJobId, IReadOnlyList<int> ArrayTasks, string State, string Reason, string ExitCode, int Restarts)
{
    /// <summary>True for states after which the job does nothing more unless requeued.</summary>
    public bool Finished => State is "COMPLETED" or "FAILED" or "CANCELLED" or "TIMEOUT" or "NODE_FAIL" or "OUT_OF_MEMORY" or "PREEMPTED" or "BOOT_FAIL" or "DEADLINE";

    /// <summary>Parses the one-line records of `scontrol show job -o`.</summary>
    public static IReadOnlyList<SlurmJobState> Parse(string scontrolOutput)
    {
        var jobs = new List<SlurmJobState>();
        foreach (var line in scontrolOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Fields are space-separated Key=Value pairs; only values we do not read (Command=, WorkDir=, ...) can hold spaces.
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var token in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = token.IndexOf('=');
                if (eq > 0)
                {
                    fields.TryAdd(token[..eq], token[(eq + 1)..]);
                }
            }

            if (!fields.TryGetValue("JobId", out var id))
            {
                continue;
            }

            jobs.Add(new SlurmJobState(
                id,
                fields.GetValueOrDefault("ArrayJobId"),
                fields.TryGetValue("ArrayTaskId", out var tasks) ? ParseTaskIds(tasks) : [],
                fields.GetValueOrDefault("JobState", "UNKNOWN"),
                fields.GetValueOrDefault("Reason", "None"),
                fields.GetValueOrDefault("ExitCode", "0:0"),
                int.TryParse(fields.GetValueOrDefault("Restarts"), out var restarts) ? restarts : 0));
        }

        return jobs;
    }

    /// <summary>Array task IDs as Slurm writes them: "3", "0-7", "1,3-5", "0-7%2" (a throttle after %), or "[0-7%2]" in some versions.</summary>
    public static IReadOnlyList<int> ParseTaskIds(string text)
    {
        var ids = new List<int>();
        var body = text.Trim('[', ']');
        var throttle = body.IndexOf('%');
        if (throttle >= 0)
        {
            body = body[..throttle];
        }

        foreach (var part in body.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var range = part.Split('-');
            // A step ("0-15:4") thins the range.
            var stepParts = range[^1].Split(':');
            var step = stepParts.Length == 2 && int.TryParse(stepParts[1], out var s) && s > 0 ? s : 1;
            range[^1] = stepParts[0];
            if (range.Length == 1 && int.TryParse(range[0], out var single))
            {
                ids.Add(single);
            }
            else if (range.Length == 2 && int.TryParse(range[0], out var first) && int.TryParse(range[1], out var last) && first <= last)
            {
                for (var i = first; i <= last; i += step)
                {
                    ids.Add(i);
                }
            }
            else
            {
                throw new FormatException($"'{text}' is not a Slurm array task list (expected forms like 3, 0-7, 1,3-5 or 0-7%2).");
            }
        }

        return ids;
    }
}
