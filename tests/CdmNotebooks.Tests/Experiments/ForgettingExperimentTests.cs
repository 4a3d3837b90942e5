using CdmNotebooks.Experiments;
using CdmNotebooks.Experiments.Forgetting;
using Xunit.Abstractions;

namespace CdmNotebooks.Tests.Experiments;

/// <summary>E2 in the smoke profile: forgetting requests run through the registry, the lineage check passes after each and fails on stale components.</summary>
[Collection("Experiments")]
public sealed class ForgettingExperimentTests
{
    private readonly ITestOutputHelper _output;

    public ForgettingExperimentTests(ITestOutputHelper output) => _output = output;

    [Fact]
    [Trait("Category", "ExperimentSmoke")]
    public void SmokeRunPassesItsSanityChecksAndReportsEveryRequest()
    {
        var results = Directory.CreateTempSubdirectory("cdm-forgetting-").FullName;
        try
        {
            var report = new ForgettingExperiment().Run(new ExperimentRun("forgetting", "smoke", resultsRoot: results) { Log = _output.WriteLine });
            foreach (var check in report.Checks)
            {
                _output.WriteLine($"{(check.Passed ? "ok  " : "FAIL")} {check.Name}: {check.Detail}");
            }

            Assert.True(report.Passed, string.Join("\n", report.Checks.Where(c => !c.Passed).Select(c => $"{c.Name}: {c.Detail}")));
            Assert.Contains(report.Checks, c => c.Name.StartsWith("lineage check fails when a stale shard", StringComparison.Ordinal));
            Assert.Contains(report.Checks, c => c.Name.StartsWith("lineage check fails when a stale router", StringComparison.Ordinal));
            var table = report.Tables["forgetting"];
            var settings = ForgettingSettings.For("smoke");
            Assert.Equal(settings.Requests.Count * (1 + settings.EvaluatedRouters.Count), table.Rows.Count);
            Assert.True(File.Exists(Path.Combine(results, "forgetting", "smoke", "forgetting-time-vs-fid.png")));
        }
        finally
        {
            Directory.Delete(results, recursive: true);
        }
    }
}
