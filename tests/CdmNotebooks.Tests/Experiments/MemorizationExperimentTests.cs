using CdmNotebooks.Data;
using CdmNotebooks.Experiments;
using CdmNotebooks.Experiments.Memorization;

namespace CdmNotebooks.Tests.Experiments;

/// <summary>E5 runs end to end in the smoke profile (models cached in the repository's .cdm-cache, results in a temp folder) and its sanity checks pass.</summary>
[Collection("Experiments")]
public sealed class MemorizationExperimentTests
{
    [Fact]
    [Trait("Category", "ExperimentSmoke")]
    public void SmokeRunMemorizesAloneAndLessWhenMixed()
    {
        var results = Directory.CreateTempSubdirectory("cdm-memorization-").FullName;
        try
        {
            var run = new ExperimentRun("memorization", "smoke", resultsRoot: results);
            var report = new MemorizationExperiment().Run(run);

            Assert.Equal(2, report.Checks.Count);
            Assert.True(report.Passed, string.Join("\n", report.Checks.Select(c => $"{c.Name}: {c.Passed} ({c.Detail})")));
            Assert.Equal(MemorizationSettings.PaperWeights.Count, report.Tables["Memorization vs mixture weight (Fig. 4B)"].Rows.Count);
            Assert.All(report.Files, file => Assert.True(File.Exists(file), $"missing {file}"));
        }
        finally
        {
            Directory.Delete(results, recursive: true);
        }
    }

    [Fact]
    public void SmallShardIsClassBalancedAndDeterministic()
    {
        using var train = DatasetCatalog.Load("mnist10k", "train");
        var ids = MemorizationExperiment.SmallShardIds(train, perClass: 3, seed: 0);
        Assert.Equal(30, ids.Count);
        Assert.Equal(30, ids.Distinct().Count());
        Assert.All(ids.GroupBy(id => id.Split('/')[1]), g => Assert.Equal(3, g.Count()));
        Assert.Equal(ids, MemorizationExperiment.SmallShardIds(train, perClass: 3, seed: 0));
        Assert.NotEqual(ids, MemorizationExperiment.SmallShardIds(train, perClass: 3, seed: 1));
    }
}
