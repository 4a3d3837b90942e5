using CdmNotebooks.Composition;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Reporting;
using static TorchSharp.torch;

namespace CdmNotebooks.Experiments.Attribution;

/// <summary>E4's charts: the mean weight curves over the reverse process, the credit histogram and the credited counts per shard, each named for its file.</summary>
internal static class AttributionCharts
{
    internal static ChartSpec CurveChart(
        ExperimentRun run, ShardSplit split, string[] shardDomains, bool isDomainSplit, RouterKind router, IReadOnlyList<AttributionCurveRow> curves)
    {
        var series = curves.GroupBy(r => (r.Group, r.Shard))
            .Select(g => new ChartSeries(
                $"w{g.Key.Shard} ({shardDomains[g.Key.Shard]})" + (g.Key.Group == "all" ? ", all samples" : $", samples {g.Key.Group}"),
                g.Select(r => (double)r.Timestep).ToArray(), g.Select(r => r.MeanWeight).ToArray()))
            .ToArray();
        return new ChartSpec(
            $"Mean w_i over the reverse process: {split.Name}, {router.Name()} router",
            "timestep t (sampling runs from high t to 0)", "mean weight w_i", series)
        {
            Caption = Caption(run, isDomainSplit ? "judged = domain given by the union CdmNet classifier" : "iid shards"),
        };
    }

    internal static ChartSpec CreditHistogram(ExperimentRun run, ShardSplit split, IReadOnlyList<(RouterKind Router, IReadOnlyList<AttributionSampleRow> Samples)> measured)
    {
        const int Bins = 10;
        var series = measured.Select(m =>
        {
            var counts = new double[Bins];
            foreach (var sample in m.Samples)
            {
                counts[Math.Min(Bins - 1, (int)(sample.CreditWeight * Bins))] += 1.0 / m.Samples.Count;
            }

            return new ChartSeries(m.Router.Name(), Enumerable.Range(0, Bins).Select(b => (double)b).ToArray(), counts);
        }).ToArray();
        return new ChartSpec(
            $"Per-sample credit: time-averaged weight of the credited shard, {split.Name}", "credit weight", "fraction of samples", series, ChartKind.Bar)
        {
            Categories = Enumerable.Range(0, Bins).Select(b => $"{b / (double)Bins:F1}-{(b + 1) / (double)Bins:F1}").ToArray(),
            Caption = Caption(run, $"1/{split.ShardCount} = no preference; 1 = one shard made the sample"),
        };
    }

    internal static ChartSpec CreditedCounts(ExperimentRun run, ShardSplit split, IReadOnlyList<(RouterKind Router, IReadOnlyList<AttributionSampleRow> Samples)> measured)
    {
        var series = measured.Select(m => new ChartSeries(
            m.Router.Name(),
            Enumerable.Range(0, split.ShardCount).Select(s => (double)s).ToArray(),
            Enumerable.Range(0, split.ShardCount)
                .Select(s => m.Samples.Count(r => r.CreditedShard == s) / (double)m.Samples.Count)
                .ToArray())).ToArray();
        return new ChartSpec($"Which shard gets the credit: {split.Name}", "shard", "fraction of samples credited", series, ChartKind.Bar)
        {
            Categories = Enumerable.Range(0, split.ShardCount).Select(s => $"shard {s} ({AttributionExperiment.DomainOf(split.IdsOfShard(s))})").ToArray(),
            Caption = Caption(run, "credited shard = argmax of the time-averaged weight"),
        };
    }

    internal static string Caption(ExperimentRun run, string note) => $"{note}; profile {run.Profile}, seed {run.Seed}, `{run.Command}`";

    internal static string FileNameOf(ChartSpec chart)
    {
        var slug = new string(chart.Title.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray());
        while (slug.Contains("--", StringComparison.Ordinal))
        {
            slug = slug.Replace("--", "-", StringComparison.Ordinal);
        }

        return "fig-" + slug.Trim('-');
    }
}
