using CdmNotebooks.Data;

namespace CdmNotebooks.Experiments.Table1;

/// <summary>The grid Table 1 measures under one profile: datasets, split schemes, shard counts, and the pipeline scale.</summary>
/// <param name="Datasets">Datasets evaluated (each has its own paragon and feature network).</param>
/// <param name="Schemes">Split schemes (uniform, by-class).</param>
/// <param name="ShardCounts">Shard counts n &gt;= 2 composed; n = 1 is the paragon itself (one model on all data with all the steps), so it is measured once per dataset and plotted at n = 1 for every method.</param>
/// <param name="Scale">Pipeline sizes (training, sampling, routers).</param>
/// <param name="Note">What this profile covers and why, printed in the notebook and in run.json.</param>
public sealed record Table1Settings(
    IReadOnlyList<string> Datasets,
    IReadOnlyList<SplitScheme> Schemes,
    IReadOnlyList<int> ShardCounts,
    ExperimentScale Scale,
    string Note)
{
    /// <summary>The settings of <paramref name="profile"/>.</summary>
    /// <remarks>
    /// smoke fits the CI budget (mnist10k only, n in {2, 8}, the pipeline's smoke scale); standard is the largest subset of the
    /// grid that fits Table 1's 120-minute budget on the 2-core machine (see the notebook for the measured extrapolation);
    /// paper is the whole grid at GPU scale.
    /// </remarks>
    public static Table1Settings For(string profile) => profile switch
    {
        "smoke" => new Table1Settings(
            new[] { "mnist10k" }, new[] { SplitScheme.Uniform, SplitScheme.ByClass }, new[] { 2, 8 },
            ExperimentScale.For("smoke"),
            "smoke: mnist10k only, n in {2, 8}, smoke models (tiny UNet, 300 paragon steps); checks the pipeline, not the paper's numbers."),
        "standard" => new Table1Settings(
            new[] { "mnist10k" }, new[] { SplitScheme.Uniform, SplitScheme.ByClass }, new[] { 2, 4, 8 },
            StandardScale(),
            "standard: mnist10k, n in {1, 2, 4, 8}, uniform and by-class, paragon shortened to fit 120 min on 2 cores " +
            "(fashion-mnist is left to the paper profile: a second dataset doubles the compute)."),
        "paper" => new Table1Settings(
            new[] { "fashion-mnist", "mnist10k" }, new[] { SplitScheme.Uniform, SplitScheme.ByClass }, new[] { 2, 4, 8 },
            ExperimentScale.For("paper"),
            "paper: the whole grid (both datasets, n in {1, 2, 4, 8}, both schemes) at GPU scale; documented, not run here."),
        _ => throw new ArgumentException($"Unknown profile '{profile}'. Use smoke, standard or paper.", nameof(profile)),
    };

    /// <summary>The standard profile's scale: the standard model with a paragon budget that keeps the whole Table 1 grid within 120 minutes.</summary>
    /// <remarks>
    /// Compute parity makes every split of a dataset cost one paragon, so the grid costs (1 + schemes x shard counts) = 7 paragons
    /// of training plus sampling every method. The step and sample counts below come from the measurement recorded in the notebook.
    /// </remarks>
    public static ExperimentScale StandardScale()
    {
        var scale = ExperimentScale.For("standard");
        return scale with
        {
            Paragon = scale.Paragon with { TrainSteps = 1200, WarmupSteps = 100, CheckpointEvery = 200 },
            SamplesPerClass = 50,
            SamplerSteps = 50,
            RouterTraining = scale.RouterTraining with { Steps = 600 },
        };
    }
}
