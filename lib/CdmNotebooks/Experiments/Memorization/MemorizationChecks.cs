using CdmNotebooks.Composition;
using CdmNotebooks.Data;
using CdmNotebooks.Evaluation;
using static TorchSharp.torch;

namespace CdmNotebooks.Experiments.Memorization;

/// <summary>E5's sanity checks, read from the typed rows: the small shard alone memorizes, and mixing it with the rest reduces that.</summary>
internal static class MemorizationChecks
{
    internal static IReadOnlyList<SanityCheck> Checks(ExperimentRun run, MemorizationSettings settings, IReadOnlyList<MemorizationRow> table)
    {
        double? Memorized(double weight) => MemorizationExperiment.RowsOf(run, table).LastOrDefault(r => r.Method == MemorizationExperiment.MethodName(weight))?.MemorizedFractionPixel;

        var alone = Memorized(1.0);
        var mixed = Memorized(0.25);
        var checks = new List<SanityCheck>
        {
            new($"the small shard alone memorizes: memorized fraction (pixel) at (1, 0) >= {settings.MinimumMemorizedAlone:P0}",
                alone >= settings.MinimumMemorizedAlone,
                alone is null ? "weight (1, 0) was not measured" : $"{alone:P1} of samples are near-copies of the small shard's images (ratio < {settings.Threshold:F3})"),
        };
        checks.Add(new SanityCheck(
            "mixing reduces memorization: memorized fraction (pixel) at (0.25, 0.75) < at (1, 0)",
            alone is not null && mixed is not null && mixed < alone,
            alone is null || mixed is null ? "weight (1, 0) or (0.25, 0.75) was not measured" : $"(0.25, 0.75): {mixed:P1} vs (1, 0): {alone:P1}"));
        return checks;
    }
}
