using CdmNotebooks.Experiments;
using CdmNotebooks.Experiments.Continual;
using CdmNotebooks.Experiments.Table1;

namespace CdmNotebooks.Tests.Experiments;

/// <summary>E1 table1 and E3 continual run end to end in the smoke profile (in process, models from the shared cache, results in a temp folder) and their sanity checks hold.</summary>
[Collection("Experiments")]
public sealed class Table1AndContinualTests : IDisposable
{
    private readonly string _results = Directory.CreateTempSubdirectory("cdm-exp-a-results-").FullName;

    [Fact]
    [Trait("Category", "ExperimentSmoke")]
    public void Table1SmokeBeatsNaiveOnByClassAndKeepsComputeParity()
    {
        var report = new Table1Experiment().Run(new ExperimentRun("table1", "smoke", resultsRoot: _results));

        AssertChecksPass(report);
        Assert.Contains(report.Checks, c => c.Name.Contains("beats naive averaging", StringComparison.Ordinal));
        Assert.Contains(report.Checks, c => c.Name.StartsWith("compute parity", StringComparison.Ordinal));
        var table = report.Tables["Table 1 (FID and KID in CdmNet features)"];
        // scratch: paragon + 3 splits (uniform-2, by-class-2, by-class-8) x (4 routers + random pick + single shard);
        // fine-tuned: base + paragon + by-class-8 x (4 routers + random pick + soup + single shard)
        Assert.Equal(1 + 3 * 6 + 2 + 7, table.Rows.Count);
        Assert.Contains(report.Checks, c => c.Name.StartsWith("lineage fine-tuned:fashion-mnist", StringComparison.Ordinal));
        Assert.Contains(report.Checks, c => c.Name.StartsWith("soup fine-tuned:fashion-mnist", StringComparison.Ordinal));
        Assert.Contains(report.Checks, c => c.Name.StartsWith("random pick fine-tuned:fashion-mnist", StringComparison.Ordinal));
        Assert.Contains(report.Files, f => f.EndsWith("samples-fine-tuned-fashion-mnist-mnist10k-by-class-8-soup.png", StringComparison.Ordinal));
        Assert.Contains(report.Files, f => f.EndsWith("fid-vs-shards-mnist10k-by-class.png", StringComparison.Ordinal));
        Assert.Contains(report.Files, f => f.EndsWith("samples-mnist10k-by-class-8-cdm-naive.png", StringComparison.Ordinal));
    }

    [Fact]
    [Trait("Category", "ExperimentSmoke")]
    public void ContinualSmokeNeverRetrainsEarlierShardsAndCostsEveryRouterUpdate()
    {
        var report = new ContinualExperiment().Run(new ExperimentRun("continual", "smoke", resultsRoot: _results));

        AssertChecksPass(report);
        Assert.Equal(3, report.Checks.Count);
        var costs = report.Tables["Cost of each addition"];
        Assert.Equal(8 * 4, costs.Rows.Count);
        Assert.Equal(2 * 4, report.Tables["FID (CdmNet features) as shards arrive"].Rows.Count);
    }

    private static void AssertChecksPass(ExperimentReport report) =>
        Assert.True(report.Passed, string.Join("\n", report.Checks.Select(c => $"[{(c.Passed ? "ok" : "FAIL")}] {c.Name}: {c.Detail}")));

    public void Dispose() => Directory.Delete(_results, recursive: true);
}
