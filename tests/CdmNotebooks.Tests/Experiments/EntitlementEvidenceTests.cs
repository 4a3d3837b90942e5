using CdmNotebooks.Composition;
using CdmNotebooks.Experiments.AccessRights;

namespace CdmNotebooks.Tests.Experiments;

/// <summary>The two instruments of the access-rights proof can fail: the file-open spy sees real opens, and the weight audit flags a non-zero unentitled weight.</summary>
public sealed class EntitlementEvidenceTests
{
    [Fact]
    public void FileOpenSpySeesOpensInWatchedFoldersOnly()
    {
        var root = Directory.CreateTempSubdirectory("cdm-spy-").FullName;
        try
        {
            var watched = Directory.CreateDirectory(Path.Combine(root, "watched")).FullName;
            var other = Directory.CreateDirectory(Path.Combine(root, "other")).FullName;
            File.WriteAllText(Path.Combine(watched, "seen.bin"), "x");
            File.WriteAllText(Path.Combine(watched, "untouched.bin"), "x");
            File.WriteAllText(Path.Combine(other, "elsewhere.bin"), "x");
            using var spy = new FileOpenSpy([watched]);
            _ = File.ReadAllText(Path.Combine(watched, "seen.bin"));
            _ = File.ReadAllText(Path.Combine(other, "elsewhere.bin"));
            spy.Drain();
            Assert.Contains(Path.Combine(watched, "seen.bin"), spy.Opened);
            Assert.DoesNotContain(Path.Combine(watched, "untouched.bin"), spy.Opened);
            Assert.DoesNotContain(spy.Opened, p => p.Contains("elsewhere", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void WeightAuditCountsEveryNonZeroUnentitledWeight()
    {
        var audit = new WeightAudit([true, false, true]);
        var trajectory = new WeightTrajectory(batch: 2, shards: 3);
        trajectory.Add([900, 900], [0.5f, 0f, 0.5f, 0.7f, 0f, 0.3f]);
        audit.Consume(trajectory);
        trajectory.Add([800, 800], [0.5f, 1e-30f, 0.5f, 1f, 0f, 0f]);
        audit.Consume(trajectory);
        Assert.Equal(4, audit.PairsChecked);
        Assert.Equal(1, audit.Violations);
        Assert.Equal(1e-30f, audit.MaxUnentitledWeight);
        Assert.Equal(0, audit.Unnormalized);
        Assert.Equal(2, audit.Steps);
        Assert.Equal(0.75, audit.MeanWeight(1, 0), 6);
    }
}
