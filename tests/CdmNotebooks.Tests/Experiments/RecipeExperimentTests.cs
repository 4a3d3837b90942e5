using CdmNotebooks.Diffusion;
using CdmNotebooks.Experiments;
using CdmNotebooks.Experiments.Recipe;
using CdmNotebooks.Experiments.Table1;

namespace CdmNotebooks.Tests.Experiments;

/// <summary>The recipe study changes one thing per variant (batch variants at equal samples seen), its smoke baseline learns, and a re-run measures nothing again.</summary>
[Collection("Experiments")]
public sealed class RecipeExperimentTests : IDisposable
{
    private readonly string _results = Directory.CreateTempSubdirectory("cdm-recipe-results-").FullName;

    /// <summary>Table 1's smoke shard of a uniform-8 split from scratch: 150 steps of batch 16, constant learning rate, no min-SNR, EMA cap 0.999.</summary>
    private static TrainingConfig ScratchShard => ComputeParity.ForShard(ExperimentScale.Shared("smoke").Paragon, 0.125);

    public static TheoryData<string, string[]> Baselines => new()
    {
        { "scratch", ["min-SNR-5", "cosine LR decay", "EMA 0.89", "no EMA", "peak LR 0.001", "peak LR 0.004", "batch 32 x 75 steps", "batch 8 x 300 steps"] },
        // A fine-tuned baseline's rate is only lowered: a higher one undoes its base faster.
        { "fine-tuned", ["no min-SNR", "constant LR", "EMA 0.89", "no EMA", "peak LR 0.00025", "peak LR 0.0000625", "batch 32 x 75 steps", "batch 8 x 300 steps"] },
        // 20,000 steps: the EMA cap 0.995 binds, so a longer average is reachable too.
        { "long", ["min-SNR-5", "cosine LR decay", "EMA 0.99", "EMA 0.9975", "no EMA", "peak LR 0.001", "peak LR 0.004", "batch 32 x 10000 steps", "batch 8 x 40000 steps"] },
    };

    [Theory]
    [MemberData(nameof(Baselines))]
    public void EachVariantChangesExactlyItsFieldsAndBatchVariantsSeeTheBaselinesSamples(string baselineName, string[] expected)
    {
        var baseline = baselineName switch
        {
            "scratch" => ScratchShard,
            "fine-tuned" => ScratchShard with
            {
                MinSnrGamma = 5, LearningRateDecay = "cosine", LearningRate = 1e-3,
                Base = new BaseLineage("base-key", new TrainingDataIdentity("fashion-mnist", "base", "all", "base-identity")),
            },
            _ => ScratchShard with { TrainSteps = 20_000, EmaDecay = 0.995 },
        };

        var variants = RecipeVariant.For(baseline);

        Assert.Equal(expected, variants.Select(v => v.Name));
        foreach (var variant in variants)
        {
            var config = variant.Change(baseline);
            config.Validate();
            Assert.Equal(variant.Fields.Order(), RecipeVariant.Differences(baseline, config).Select(d => d.Field).Order());
            if (variant.Fields.Contains(nameof(TrainingConfig.BatchSize)))
            {
                Assert.Equal(baseline.BatchSize * baseline.TrainSteps, config.BatchSize * config.TrainSteps);
                Assert.Equal(baseline.WarmupSteps * baseline.BatchSize, config.WarmupSteps * config.BatchSize, tolerance: config.BatchSize / 2.0);
            }
        }
    }

    [Fact]
    public void DifferencesCompareConfigurationsByContentAndNameBothValues()
    {
        var baseline = ScratchShard;
        var copy = baseline with { Model = baseline.Model with { ChannelMultipliers = baseline.Model.ChannelMultipliers.ToArray() } };

        Assert.Empty(RecipeVariant.Differences(baseline, copy));
        Assert.Equal(new[] { "LearningRateDecay constant -> cosine" }, RecipeVariant.Differences(baseline, baseline with { LearningRateDecay = "cosine" }).Select(d => d.Change));
    }

    [Fact]
    [Trait("Category", "ExperimentSmoke")]
    public void SmokeBaselineLearnsEveryVariantChangesOneThingAndAReRunMeasuresNothingAgain()
    {
        var report = new RecipeExperiment().Run(new ExperimentRun("recipe", "smoke", resultsRoot: _results));

        Assert.True(report.Passed, string.Join("\n", report.Checks.Select(c => $"[{(c.Passed ? "ok" : "FAIL")}] {c.Name}: {c.Detail}")));
        var table = report.Tables.Single().Value;
        // One block (fine-tuned mnist10k): the baseline, its starting point (the base) and eight one-change variants, each with its check.
        Assert.Equal(
            new[]
            {
                RecipeExperiment.Baseline, RecipeExperiment.Start, "no min-SNR", "constant LR", "EMA 0.89", "no EMA", "peak LR 0.00025", "peak LR 0.0000625",
                "batch 32 x 75 steps", "batch 8 x 300 steps",
            },
            Enumerable.Range(0, table.Rows.Count).Select(r => table.Get(r, "variant")));
        Assert.Equal(8, report.Checks.Count(c => c.Name.StartsWith("one change: fine-tuned:fashion-mnist mnist10k", StringComparison.Ordinal)));
        Assert.Single(report.Checks, c => c.Name.StartsWith("quality: fine-tuned:fashion-mnist mnist10k baseline", StringComparison.Ordinal));
        Assert.Contains(report.Files, f => f.EndsWith("fid-by-recipe-fine-tuned-fashion-mnist-mnist10k.png", StringComparison.Ordinal));

        var csv = File.ReadAllText(Path.Combine(_results, "recipe", "smoke", "recipe.csv"));
        var log = new List<string>();
        var again = new RecipeExperiment().Run(new ExperimentRun("recipe", "smoke", resultsRoot: _results) { Log = log.Add });
        Assert.Equal(csv, File.ReadAllText(Path.Combine(_results, "recipe", "smoke", "recipe.csv")));
        Assert.DoesNotContain(log, line => line.Contains("  training ", StringComparison.Ordinal) || line.EndsWith(" samples", StringComparison.Ordinal));
        Assert.Equal(report.Checks.Select(c => c.Detail), again.Checks.Select(c => c.Detail));
    }

    public void Dispose() => Directory.Delete(_results, recursive: true);
}
