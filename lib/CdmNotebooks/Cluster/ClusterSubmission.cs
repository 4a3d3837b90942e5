using System.Text.Json;
using CdmNotebooks.IO;

namespace CdmNotebooks.Cluster;

/// <summary>What was submitted and the job IDs Slurm gave it, saved as submission.json in the job folder (read by `cdm cluster status`).</summary>
/// <param name="Spec">The submitted specification.</param>
/// <param name="ShardsJobId">Job ID of the shard array.</param>
/// <param name="ComposeJobId">Job ID of the dependent compose job.</param>
/// <param name="SubmittedUtc">When it was written.</param>
public sealed record ClusterSubmission(ClusterJobSpec Spec, string ShardsJobId, string ComposeJobId, DateTimeOffset SubmittedUtc)
{
    /// <summary>File name of the record in the job folder.</summary>
    public const string FileName = "submission.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Writes both scripts (and the log folder) into the job folder and returns their paths; submits nothing.</summary>
    public static (string Shards, string Compose) WriteScripts(ClusterJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Directory.CreateDirectory(Path.Combine(spec.JobDirectory, "logs"));
        var shards = Path.Combine(spec.JobDirectory, SlurmScripts.ShardsFile);
        var compose = Path.Combine(spec.JobDirectory, SlurmScripts.ComposeFile);
        AtomicFile.WriteAllText(shards, SlurmScripts.Shards(spec));
        AtomicFile.WriteAllText(compose, SlurmScripts.Compose(spec));
        return (shards, compose);
    }

    /// <summary>
    /// Writes the scripts and submits them: the array first, then the compose job with afterok on it. Refuses while an earlier submission
    /// from the same job folder still has jobs Slurm has not finished, since both would write the same logs and samples.
    /// </summary>
    public static ClusterSubmission Submit(ClusterJobSpec spec, SlurmClient slurm)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(slurm);
        if (TryLoad(spec.JobDirectory) is { } previous)
        {
            var active = new[] { previous.ShardsJobId, previous.ComposeJobId }.SelectMany(slurm.Jobs).Where(j => !j.Finished).Select(j => j.JobId).ToList();
            if (active.Count > 0)
            {
                throw new InvalidOperationException(
                    $"{spec.JobDirectory} belongs to jobs Slurm is still running or holding ({string.Join(", ", active)}): watch them with cdm cluster status, " +
                    $"cancel them with scancel {previous.ShardsJobId} {previous.ComposeJobId}, or submit with another --job-dir.");
            }
        }

        var (shardsScript, composeScript) = WriteScripts(spec);
        var shardsJob = slurm.Submit(shardsScript);
        var composeJob = slurm.Submit(composeScript, afterOk: shardsJob);
        var submission = new ClusterSubmission(spec, shardsJob, composeJob, DateTimeOffset.UtcNow);
        submission.Save();
        return submission;
    }

    /// <summary>Reads the record of <paramref name="jobDirectory"/>.</summary>
    public static ClusterSubmission Load(string jobDirectory) =>
        TryLoad(jobDirectory) ?? throw new FileNotFoundException(
            $"{Path.Combine(jobDirectory, FileName)} does not exist: nothing was submitted from this job folder (cdm cluster submit writes it).",
            Path.Combine(jobDirectory, FileName));

    /// <summary>Writes the record atomically.</summary>
    public void Save() => AtomicFile.WriteAllText(Path.Combine(Spec.JobDirectory, FileName), JsonSerializer.Serialize(this, Json) + "\n");

    private static ClusterSubmission? TryLoad(string jobDirectory)
    {
        var path = Path.Combine(jobDirectory, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<ClusterSubmission>(File.ReadAllText(path), Json)
                ?? throw new InvalidDataException($"{path} holds JSON null, not a submission record.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a submission record ({e.Message}); delete it or use another --job-dir.", e);
        }
    }
}
