using System.Globalization;
using CdmNotebooks.Composition;
using CdmNotebooks.Reporting;

namespace CdmNotebooks.Experiments.Table1;

/// <summary>The figures of Table 1 built from its result rows: FID against the number of shards per method, and conditional accuracy bars.</summary>
public static class Table1Charts
{
    /// <summary>The methods drawn, in legend order (paragon is a flat reference line).</summary>
    public static IReadOnlyList<string> Methods { get; } =
        RouterKindNames.All.Select(k => "cdm-" + k.Name()).Append("soup").Append("single-shard").ToArray();

    /// <summary>FID (CdmNet features) against n for every method of block <paramref name="grid"/> on <paramref name="scheme"/>; n = 1 is the paragon (one model on all data), error bars are half the 95% bootstrap interval.</summary>
    public static ChartSpec FidVsShards(ResultTable table, Table1Settings settings, Table1Grid grid, string scheme, string caption)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(settings);
        var block = settings.BlockKey(grid);
        var dataset = grid.Dataset;
        var paragon = MetricColumns.Rows(table, [.. block, ("method", "paragon")]).FirstOrDefault(-1);
        var counts = MetricColumns.Rows(table, [.. block, ("scheme", scheme)])
            .Select(r => int.Parse(table.Get(r, "shards"), CultureInfo.InvariantCulture)).Distinct().Order().ToArray();
        var series = new List<ChartSeries>();
        foreach (var method in Methods)
        {
            var points = new List<(double X, double Y, double E)>();
            if (paragon >= 0)
            {
                points.Add((1, MetricColumns.Number(table, paragon, "fid_cdmnet"), HalfInterval(table, paragon)));
            }

            foreach (var n in counts)
            {
                var row = MetricColumns.Rows(table, [.. block, ("scheme", scheme), ("shards", n.ToString(CultureInfo.InvariantCulture)), ("method", method)])
                    .FirstOrDefault(-1);
                if (row >= 0)
                {
                    points.Add((n, MetricColumns.Number(table, row, "fid_cdmnet"), HalfInterval(table, row)));
                }
            }

            if (points.Count > 0)
            {
                series.Add(new ChartSeries(method, points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), points.Select(p => p.E).ToArray()));
            }
        }

        if (paragon >= 0 && counts.Length > 0)
        {
            var fid = MetricColumns.Number(table, paragon, "fid_cdmnet");
            series.Add(new ChartSeries("paragon", new double[] { 1, counts[^1] }, new[] { fid, fid }));
        }

        // A fine-tuned block's base: where every model started, so a reader sees whether training moved the paragon and the shards away from it.
        var baseRow = MetricColumns.Rows(table, [.. block, ("method", "base")]).FirstOrDefault(-1);
        if (baseRow >= 0 && counts.Length > 0)
        {
            var fid = MetricColumns.Number(table, baseRow, "fid_cdmnet");
            series.Add(new ChartSeries("base (start of fine-tuning)", new double[] { 1, counts[^1] }, new[] { fid, fid }));
        }

        return new ChartSpec($"{dataset}, {scheme} split, {grid.Name}: FID vs number of shards", "shards n (n = 1: paragon)", "FID (CdmNet features), lower is better", series)
        {
            Caption = caption,
        };
    }

    /// <summary>Conditional accuracy (the feature network's classifier agrees with the requested class) per split configuration and method of block <paramref name="grid"/>.</summary>
    public static ChartSpec ConditionalAccuracy(ResultTable table, Table1Settings settings, Table1Grid grid, string caption)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(settings);
        var block = settings.BlockKey(grid);
        var dataset = grid.Dataset;
        var configs = MetricColumns.Rows(table, block)
            .Where(r => table.Get(r, "scheme") != "all")
            .Select(r => (Scheme: table.Get(r, "scheme"), Shards: int.Parse(table.Get(r, "shards"), CultureInfo.InvariantCulture)))
            .Distinct().OrderBy(c => c.Scheme, StringComparer.Ordinal).ThenBy(c => c.Shards).ToArray();
        var categories = configs.Select(c => $"{c.Scheme} n={c.Shards}").ToArray();
        var series = new List<ChartSeries>();
        var paragon = MetricColumns.Rows(table, [.. block, ("method", "paragon")]).FirstOrDefault(-1);
        foreach (var method in Methods.Prepend("paragon"))
        {
            var x = new List<double>();
            var y = new List<double>();
            var e = new List<double>();
            for (var i = 0; i < configs.Length; i++)
            {
                var row = method == "paragon"
                    ? paragon
                    : MetricColumns.Rows(table, [.. block, ("scheme", configs[i].Scheme),
                        ("shards", configs[i].Shards.ToString(CultureInfo.InvariantCulture)), ("method", method)]).FirstOrDefault(-1);
                if (row >= 0)
                {
                    x.Add(i);
                    y.Add(MetricColumns.Number(table, row, "cond_acc"));
                    e.Add(MetricColumns.Number(table, row, "cond_acc_se"));
                }
            }

            if (x.Count > 0)
            {
                series.Add(new ChartSeries(method, x, y, e));
            }
        }

        return new ChartSpec($"{dataset}, {grid.Name}: conditional accuracy by split and method", "split", "conditional accuracy (CdmNet classifier), higher is better", series, ChartKind.Bar)
        {
            Categories = categories,
            Caption = caption,
        };
    }

    private static double HalfInterval(ResultTable table, int row)
    {
        var half = (MetricColumns.Number(table, row, "fid_high") - MetricColumns.Number(table, row, "fid_low")) / 2;
        return double.IsFinite(half) ? half : 0;
    }
}
