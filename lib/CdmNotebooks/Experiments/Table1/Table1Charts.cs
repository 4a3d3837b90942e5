using CdmNotebooks.Composition;
using CdmNotebooks.Data;
using CdmNotebooks.Reporting;

namespace CdmNotebooks.Experiments.Table1;

/// <summary>The figures of Table 1 built from its result rows: FID against the number of shards per method, and conditional accuracy bars.</summary>
public static class Table1Charts
{
    /// <summary>The methods drawn, in legend order (paragon is a flat reference line).</summary>
    public static IReadOnlyList<string> Methods { get; } =
        RouterKindNames.All.Select(k => "cdm-" + k.Name()).Append("soup").Append("single-shard").ToArray();

    /// <summary>FID (CdmNet features) against n for every method of block <paramref name="grid"/> on <paramref name="scheme"/>; n = 1 is the paragon (one model on all data), error bars are half the 95% bootstrap interval.</summary>
    public static ChartSpec FidVsShards(IReadOnlyList<Table1Row> table, Table1Settings settings, Table1Grid grid, string scheme, string caption)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(settings);
        var block = table.Where(r => settings.InBlock(grid, r)).ToList();
        var paragon = block.FirstOrDefault(r => r.Method == "paragon");
        var counts = block.Where(r => r.Scheme == scheme).Select(r => r.Shards).Distinct().Order().ToArray();
        var series = new List<ChartSeries>();
        foreach (var method in Methods)
        {
            var points = counts.Select(n => block.FirstOrDefault(r => r.Scheme == scheme && r.Shards == n && r.Method == method)).OfType<Table1Row>()
                .Prepend(paragon).OfType<Table1Row>().ToList();
            if (points.Count > 0)
            {
                series.Add(new ChartSeries(method, points.Select(r => r.Method == "paragon" ? 1.0 : r.Shards).ToArray(), points.Select(r => r.Metrics.Fid).ToArray(),
                    points.Select(r => r.Metrics.FidHalfInterval).ToArray()));
            }
        }

        // A fine-tuned block's base: where every model started, so a reader sees whether training moved the paragon and the shards away from it.
        foreach (var (label, row) in new[] { ("paragon", paragon), ("base (start of fine-tuning)", block.FirstOrDefault(r => r.Method == "base")) })
        {
            if (row is not null && counts.Length > 0)
            {
                series.Add(new ChartSeries(label, new double[] { 1, counts[^1] }, new[] { row.Metrics.Fid, row.Metrics.Fid }));
            }
        }

        return new ChartSpec($"{grid.Dataset}, {scheme} split, {grid.Name}: FID vs number of shards", "shards n (n = 1: paragon)", "FID (CdmNet features), lower is better", series)
        {
            Caption = caption,
        };
    }

    /// <summary>Conditional accuracy (the feature network's classifier agrees with the requested class) per split configuration and method of block <paramref name="grid"/>.</summary>
    public static ChartSpec ConditionalAccuracy(IReadOnlyList<Table1Row> table, Table1Settings settings, Table1Grid grid, string caption)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(settings);
        var block = table.Where(r => settings.InBlock(grid, r)).ToList();
        var configs = block.Where(r => r.Scheme != "all").Select(r => (r.Scheme, r.Shards))
            .Distinct().OrderBy(c => c.Scheme, StringComparer.Ordinal).ThenBy(c => c.Shards).ToArray();
        var categories = configs.Select(c => $"{c.Scheme} n={c.Shards}").ToArray();
        var series = new List<ChartSeries>();
        var paragon = block.FirstOrDefault(r => r.Method == "paragon");
        foreach (var method in Methods.Prepend("paragon"))
        {
            var bars = configs.Select((c, i) => (X: (double)i, Row: method == "paragon"
                    ? paragon
                    : block.FirstOrDefault(r => r.Scheme == c.Scheme && r.Shards == c.Shards && r.Method == method)))
                .Where(b => b.Row?.Metrics.ConditionalAccuracy is not null).ToList();
            if (bars.Count > 0)
            {
                series.Add(new ChartSeries(method, bars.Select(b => b.X).ToArray(), bars.Select(b => b.Row!.Metrics.ConditionalAccuracy!.Value).ToArray(),
                    bars.Select(b => b.Row!.Metrics.ConditionalAccuracySe ?? 0).ToArray()));
            }
        }

        return new ChartSpec($"{grid.Dataset}, {grid.Name}: conditional accuracy by split and method", "split", "conditional accuracy (CdmNet classifier), higher is better", series, ChartKind.Bar)
        {
            Categories = categories,
            Caption = caption,
        };
    }

    internal static void WriteFigures(ExperimentRun run, Table1Settings settings, ResultRows<Table1Row> table, ExperimentOutput output)
    {
        var caption = $"profile {run.Profile}, seed {run.Seed}, {run.Command}; FID in CdmNet features, error bars half the 95% bootstrap interval";
        foreach (var grid in settings.Grids)
        {
            var prefix = grid.FilePrefix;
            foreach (var scheme in grid.Splits.Select(s => s.Scheme).Distinct())
            {
                output.Figure(Table1Charts.FidVsShards(table.Rows, settings, grid, scheme.Kind, caption), $"fid-vs-shards-{prefix}{grid.Dataset}-{scheme.Kind}");
            }

            output.Figure(Table1Charts.ConditionalAccuracy(table.Rows, settings, grid, caption), $"conditional-accuracy-{prefix}{grid.Dataset}");
        }
    }

    /// <summary>The sample grids of each measured block: its base and paragon, then every method of its largest by-class split.</summary>
    internal static void SampleImages(ExperimentRun run, Table1Settings settings, IEnumerable<Table1Grid> grids, ExperimentOutput output)
    {
        foreach (var grid in grids)
        {
            var n = grid.Splits.Where(s => s.Scheme == SplitScheme.ByClass).Select(s => s.Shards).DefaultIfEmpty(0).Max();
            var rows = new[] { ("all", 0, "base"), ("all", 1, "paragon") }
                .Concat(Table1Experiment.SplitMethods(grid.Regime, SplitScheme.ByClass.Kind, ExperimentMutation.None).Select(m => (SplitScheme.ByClass.Kind, n, m)));
            foreach (var (scheme, shards, method) in rows)
            {
                var path = run.ResultPath(SampleGridName(grid, scheme, shards, method));
                if (File.Exists(path))
                {
                    output.Image(path, $"{grid.Name}, {grid.Dataset}, {method}{(shards > 1 ? $", {scheme} n={shards}" : "")}: the first 20 samples in two rows; column c requested class c");
                }
            }
        }
    }

    internal static string SampleGridName(Table1Grid grid, string scheme, int shards, string method) => $"samples-{grid.FilePrefix}{grid.Dataset}-{scheme}-{shards}-{method}.png";
}
