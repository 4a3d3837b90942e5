using CdmNotebooks.Composition;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Evaluation;
using CdmNotebooks.Reporting;
using static TorchSharp.torch;

namespace CdmNotebooks.Experiments.Memorization;

/// <summary>E5's charts, read from the typed rows: memorized fraction and quality against the small shard's weight.</summary>
public static class MemorizationCharts
{
    /// <summary>Fig. 4B: memorized fractions against the small shard's mixture weight, for the rows of <paramref name="run"/>'s profile and seed in <paramref name="table"/> (memorization.csv).</summary>
    public static ChartSpec MemorizationChart(ExperimentRun run, MemorizationSettings settings, IReadOnlyList<MemorizationRow> table)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(table);
        var rows = MemorizationExperiment.RowsOf(run, table);
        ChartSeries Series(string name, Func<MemorizationRow, double> value) => new(name, rows.Select(r => r.WeightSmall).ToArray(), rows.Select(value).ToArray());
        return new ChartSpec("Memorized fraction vs weight of the small shard (Fig. 4B)", "mixture weight of the small shard (rest shard: 1 - w)",
            "fraction of generated samples",
            [
                Series("near-copies of the small shard (pixel)", r => r.MemorizedFractionPixel),
                Series("near-copies of the small shard (CdmNet features)", r => r.MemorizedFractionFeature),
                Series("near-copies of any training image (pixel)", r => r.NearCopyFractionPixel),
            ])
        {
            Caption = $"near-copy: d1 / mean(d1..d{settings.Neighbours}) < {settings.Threshold:F3} against all {settings.Dataset} training images; " +
                      $"profile {run.Profile}, seed {run.Seed}, `{run.Command}`",
        };
    }

    /// <summary>FID against the small shard's mixture weight, for the rows of <paramref name="run"/>'s profile and seed in <paramref name="table"/> (memorization.csv).</summary>
    public static ChartSpec QualityChart(ExperimentRun run, IReadOnlyList<MemorizationRow> table)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(table);
        var rows = MemorizationExperiment.RowsOf(run, table);
        return new ChartSpec("Quality vs weight of the small shard", "mixture weight of the small shard", FeatureNetworkCache.MetricName,
            [
                new ChartSeries("FID (95% bootstrap interval)", rows.Select(r => r.WeightSmall).ToArray(), rows.Select(r => r.Metrics.Fid).ToArray(),
                    rows.Select(r => r.Metrics.FidHalfInterval).ToArray()),
            ])
        {
            Caption = $"against the held-out part; profile {run.Profile}, seed {run.Seed}, `{run.Command}`",
        };
    }
}
