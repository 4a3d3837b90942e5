using CdmNotebooks.Experiments;
using CdmNotebooks.Experiments.AccessRights;
using CdmNotebooks.Experiments.Attribution;
using CdmNotebooks.Experiments.Continual;
using CdmNotebooks.Experiments.Convergence;
using CdmNotebooks.Experiments.Forgetting;
using CdmNotebooks.Experiments.Memorization;
using CdmNotebooks.Experiments.Table1;
using CdmNotebooks.Experiments.TextToImage;

namespace CdmNotebooks.Tests.Experiments;

/// <summary>
/// Each experiment's verdict fails when a component is broken on purpose (every sampled model returns noise), naming its quality check;
/// the same verdict with the real components passes in the experiment's notebook run (NotebookRunTests). Models come from the shared
/// smoke cache; results go to a scratch folder so no broken row reaches the real tables.
/// </summary>
[Collection("Experiments")]
[Trait("Category", "ExperimentMutation")]
public sealed class MutationTests : IDisposable
{
    private readonly string _results = Directory.CreateTempSubdirectory("cdm-mutation-results-").FullName;

    [Fact]
    public void ContinualVerdictFailsOnItsQualityCheckWhenTheModelsDrawNoise()
    {
        var report = new ContinualExperiment().Run(
            new ExperimentRun("continual", "smoke", resultsRoot: _results) { Mutation = ExperimentMutation.NoiseDenoiser });

        var failed = report.Checks.Where(c => !c.Passed).ToList();
        Assert.Contains(failed, c => c.Name.StartsWith("quality: CDM FID with 8 shards is below FID with 1 shard", StringComparison.Ordinal));
        // The structural checks do not depend on what the models draw: they still pass, so only the quality gate caught the mutation.
        Assert.All(failed, c => Assert.StartsWith("quality:", c.Name, StringComparison.Ordinal));
        var error = Assert.Throws<SanityCheckFailedException>(() => report.EnsurePassed());
        Assert.Contains("quality: CDM FID", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AccessRightsVerdictFailsOnItsQualityCheckWhenTheModelsDrawNoise()
    {
        var report = new AccessRightsExperiment().Run(
            new ExperimentRun("access-rights", "smoke", resultsRoot: _results) { Mutation = ExperimentMutation.NoiseDenoiser });

        var failed = report.Checks.Where(c => !c.Passed).Select(c => c.Name).ToList();
        Assert.Contains(failed, n => n.StartsWith("quality: every composition draws its user's entitled classes above chance", StringComparison.Ordinal));
        // Refusals happen before any sampling, so that proof still holds under the mutation.
        Assert.DoesNotContain(failed, n => n.StartsWith("requests for an unentitled shard", StringComparison.Ordinal));
    }

    [Fact]
    public void Table1VerdictFailsOnEveryByClassQualityCheckWhenEveryRouterIsNaiveAveraging()
    {
        var report = new Table1Experiment().Run(
            new ExperimentRun("table1", "smoke", resultsRoot: _results) { Mutation = ExperimentMutation.NaiveRouter });

        var byClass = report.Checks.Where(c => c.Name.StartsWith("quality: ", StringComparison.Ordinal) && c.Name.Contains(" by-class n=", StringComparison.Ordinal)).ToList();
        // Smoke measures by-class n = 8 fine-tuned and by-class n in {2, 8} from scratch: a router that ignores the class is naive averaging, so none may pass.
        Assert.Equal(3, byClass.Count);
        Assert.All(byClass, c => Assert.False(c.Passed, $"{c.Name} passed with naive routers: {c.Detail}"));
        Assert.Contains(report.Checks, c => c.Passed && c.Name.StartsWith("compute parity", StringComparison.Ordinal));
    }

    [Fact]
    public void ConvergenceVerdictFailsOnEveryLearningCheckWhenTheModelsDrawNoise()
    {
        var report = new ConvergenceExperiment().Run(
            new ExperimentRun("convergence", "smoke", resultsRoot: _results) { Mutation = ExperimentMutation.NoiseDenoiser });

        // Every check is a learning check (FID falls with steps), and noise does not fall.
        Assert.NotEmpty(report.Checks);
        Assert.All(report.Checks, c => Assert.False(c.Passed, $"{c.Name} passed under the noise mutation: {c.Detail}"));
        Assert.All(report.Checks, c => Assert.StartsWith("quality:", c.Name, StringComparison.Ordinal));
    }

    [Fact]
    public void MemorizationVerdictFailsOnBothChecksWhenTheModelsDrawNoise()
    {
        var report = new MemorizationExperiment().Run(
            new ExperimentRun("memorization", "smoke", resultsRoot: _results) { Mutation = ExperimentMutation.NoiseDenoiser });

        // Noise copies no training image: the small shard alone no longer memorizes, and mixing cannot reduce a fraction that is already 0.
        Assert.Equal(2, report.Checks.Count);
        Assert.All(report.Checks, c => Assert.False(c.Passed, $"{c.Name} passed under the noise mutation: {c.Detail}"));
        Assert.Contains(report.Checks, c => c.Name.StartsWith("the small shard alone memorizes", StringComparison.Ordinal) && c.Detail.StartsWith("0.0 %", StringComparison.Ordinal));
    }

    [Fact]
    public void ForgettingVerdictFailsOnEveryQualityCheckWhenTheModelsDrawNoise()
    {
        var report = new ForgettingExperiment().Run(
            new ExperimentRun("forgetting", "smoke", resultsRoot: _results) { Mutation = ExperimentMutation.NoiseDenoiser });

        // One quality gate per method (the paragon and the CDM under each evaluated router): noise draws no class above chance.
        var quality = report.Checks.Where(c => c.Name.StartsWith("quality:", StringComparison.Ordinal)).ToList();
        Assert.Equal(1 + ForgettingSettings.For("smoke").EvaluatedRouters.Count, quality.Count);
        Assert.All(quality, c => Assert.False(c.Passed, $"{c.Name} passed under the noise mutation: {c.Detail}"));
        Assert.All(quality, c => Assert.Contains("is not above chance", c.Detail, StringComparison.Ordinal));
        // Lineage, SISA and timing do not depend on what the models draw: they still pass, so only the quality gates caught the mutation.
        Assert.All(report.Checks.Where(c => !c.Passed), c => Assert.StartsWith("quality:", c.Name, StringComparison.Ordinal));
        var error = Assert.Throws<SanityCheckFailedException>(() => report.EnsurePassed());
        Assert.Contains("quality: paragon", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AttributionVerdictFailsOnItsKappaCheckWhenEveryRouterIsNaiveAveraging()
    {
        var report = new AttributionExperiment().Run(
            new ExperimentRun("attribution", "smoke", resultsRoot: _results) { Mutation = ExperimentMutation.NaiveRouter });

        // Naive weights are the global priors whatever the image: every sample credits the same shard, so credit cannot agree with the
        // judged domain beyond chance (kappa 0), and the one gated router (Ito in smoke) fails its check.
        var check = Assert.Single(report.Checks);
        Assert.Contains("kappa", check.Name, StringComparison.Ordinal);
        Assert.False(check.Passed, $"{check.Name} passed with naive routers: {check.Detail}");
        Assert.Contains("kappa 0.000", check.Detail, StringComparison.Ordinal);
        Assert.Throws<SanityCheckFailedException>(() => report.EnsurePassed());
    }

    [Fact]
    public void TextToImageVerdictFailsOnItsTextConditioningCheckWhenTheModelsDrawNoise()
    {
        var report = new TextToImageExperiment().Run(
            new ExperimentRun("text-to-image", "smoke", resultsRoot: _results) { Mutation = ExperimentMutation.NoiseDenoiser });

        var failed = report.Checks.Where(c => !c.Passed).ToList();
        // Noise ignores the caption, so its images match mismatched prompts as well as their own: the paired gain's interval covers 0.
        var conditioning = Assert.Single(failed);
        Assert.StartsWith("quality: text conditioning works", conditioning.Name, StringComparison.Ordinal);
        // The answerers, the weight bookkeeping (compositions of noise models still compose) and the frozen base do not depend on what the models draw.
        Assert.Equal(3, report.Checks.Count(c => c.Passed));
        var error = Assert.Throws<SanityCheckFailedException>(() => report.EnsurePassed());
        Assert.Contains("text conditioning works", error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_results, recursive: true);
}
