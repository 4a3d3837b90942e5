using CdmNotebooks.Experiments;
using CdmNotebooks.Experiments.Attribution;

namespace CdmNotebooks.Tests.Experiments;

/// <summary>E4 runs end to end in the smoke profile (models cached in the repository's .cdm-cache, results in a temp folder) and its sanity checks pass.</summary>
[Collection("Experiments")]
public sealed class AttributionExperimentTests
{
    [Fact]
    [Trait("Category", "ExperimentSmoke")]
    public void SmokeRunCreditsTheJudgedDomainBeyondChanceAndWritesItsFigures()
    {
        var results = Directory.CreateTempSubdirectory("cdm-attribution-").FullName;
        try
        {
            var run = new ExperimentRun("attribution", "smoke", resultsRoot: results);
            var report = new AttributionExperiment().Run(run);

            var settings = AttributionSettings.For("smoke");
            Assert.Equal(settings.Routers.Count(settings.IsChecked), report.Checks.Count);
            Assert.True(report.Passed, string.Join("\n", report.Checks.Select(c => $"{c.Name}: {c.Passed} ({c.Detail})")));
            var table = report.Tables.Values.Single();
            Assert.Equal(2 * settings.Routers.Count, table.Rows.Count);
            Assert.All(report.Files, file => Assert.True(File.Exists(file), $"missing {file}"));
            Assert.Equal(2 * settings.Routers.Count, report.Images.Count);
            Assert.Contains(report.Charts, c => c.Title.StartsWith("Mean w_i over the reverse process: union-by-domain-2", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(results, recursive: true);
        }
    }

    [Fact]
    public void KappaIsZeroForCreditThatIgnoresTheImageAndOneForPerfectCredit()
    {
        string[] judged = ["fashion-mnist", "fashion-mnist", "fashion-mnist", "mnist10k"];
        var constant = Agreement.Of(["fashion-mnist", "fashion-mnist", "fashion-mnist", "fashion-mnist"], judged);
        Assert.Equal(0.75, constant.Observed, 12);
        Assert.Equal(0.75, constant.Chance, 12);
        Assert.Equal(0.0, constant.Kappa, 12);

        var perfect = Agreement.Of(judged, judged);
        Assert.Equal(1.0, perfect.Kappa, 12);
    }
}
