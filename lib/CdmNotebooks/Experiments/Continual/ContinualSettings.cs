using CdmNotebooks.Data;
using CdmNotebooks.Experiments.Table1;

namespace CdmNotebooks.Experiments.Continual;

/// <summary>What the continual experiment measures under one profile: the split whose shards arrive, when to evaluate, and the pipeline scale.</summary>
/// <param name="Dataset">Dataset of the split.</param>
/// <param name="Scheme">Split scheme; by-class shows the paper's effect plainly (each arriving shard brings new classes).</param>
/// <param name="Shards">Number of shards that arrive one at a time (the split's shard count).</param>
/// <param name="EvaluateAt">Numbers of shards present after which FID is measured; every addition's cost is measured regardless.</param>
/// <param name="Scale">Pipeline sizes: the same as Table 1's for the profile, so both experiments share cached shard models.</param>
/// <param name="Note">What this profile covers, printed in the notebook and in run.json.</param>
public sealed record ContinualSettings(string Dataset, SplitScheme Scheme, int Shards, IReadOnlyList<int> EvaluateAt, ExperimentScale Scale, string Note)
{
    /// <summary>The settings of <paramref name="profile"/>; the scale is Table 1's, so the 8 shard models are the ones Table 1 trained (same cache keys).</summary>
    public static ContinualSettings For(string profile) => profile switch
    {
        "smoke" => new ContinualSettings("mnist10k", SplitScheme.ByClass, 8, new[] { 1, 8 }, Table1Settings.For("smoke").Scale,
            "smoke: mnist10k by-class-8 (Table 1's smoke shard models), all 8 additions costed, FID after 1 and 8 shards."),
        "standard" => new ContinualSettings("mnist10k", SplitScheme.ByClass, 8, new[] { 1, 2, 4, 8 }, Table1Settings.For("standard").Scale,
            "standard: mnist10k by-class-8 (Table 1's standard shard models), all 8 additions costed, FID after 1, 2, 4 and 8 shards " +
            "(naive and Ito sampling cost grows with the shard count; every count would take ~100 min)."),
        "paper" => new ContinualSettings("fashion-mnist", SplitScheme.ByClass, 8, new[] { 1, 2, 3, 4, 5, 6, 7, 8 }, Table1Settings.For("paper").Scale,
            "paper: fashion-mnist by-class-8 at GPU scale, FID after every addition; documented, not run here."),
        _ => throw new ArgumentException($"Unknown profile '{profile}'. Use smoke, standard or paper.", nameof(profile)),
    };
}
