using System.Globalization;
using CdmNotebooks.Composition;
using CdmNotebooks.Experiments.Table1;
using CdmNotebooks.Reporting;

namespace CdmNotebooks.Experiments.Continual;

/// <summary>The continual experiment's figures built from its rows: FID against shards present per router (the paper's Fig. 2), and the router update cost of each addition.</summary>
public static class ContinualCharts
{
    /// <summary>FID (CdmNet features) after each addition, one line per router kind; error bars are half the 95% bootstrap interval.</summary>
    public static ChartSpec FidVsShardsPresent(ResultTable table, string caption)
    {
        ArgumentNullException.ThrowIfNull(table);
        var series = ContinualExperiment.Routers.Select(RouterKindNames.Name).Select(router =>
        {
            var rows = MetricColumns.Rows(table, ("router", router))
                .OrderBy(r => int.Parse(table.Get(r, "shards_present"), CultureInfo.InvariantCulture)).ToArray();
            return new ChartSeries(router,
                rows.Select(r => (double)int.Parse(table.Get(r, "shards_present"), CultureInfo.InvariantCulture)).ToArray(),
                rows.Select(r => MetricColumns.Number(table, r, "fid_cdmnet")).ToArray(),
                rows.Select(r => (MetricColumns.Number(table, r, "fid_high") - MetricColumns.Number(table, r, "fid_low")) / 2)
                    .Select(e => double.IsFinite(e) ? e : 0).ToArray());
        }).Where(s => s.X.Count > 0).ToArray();
        return new ChartSpec("Shards arriving one at a time: FID vs shards present", "shards present", "FID (CdmNet features), lower is better", series)
        {
            Caption = caption + "; read right to left it is shard forgetting",
        };
    }

    /// <summary>Seconds spent updating each router kind when a shard arrives (new shard training is shared by all kinds and reported in the table).</summary>
    public static ChartSpec RouterUpdateCost(ResultTable costs, string caption)
    {
        ArgumentNullException.ThrowIfNull(costs);
        var series = ContinualExperiment.Routers.Select(RouterKindNames.Name).Select(router =>
        {
            var rows = MetricColumns.Rows(costs, ("router", router))
                .OrderBy(r => int.Parse(costs.Get(r, "shards_present"), CultureInfo.InvariantCulture)).ToArray();
            return new ChartSeries(router,
                rows.Select(r => (double)int.Parse(costs.Get(r, "shards_present"), CultureInfo.InvariantCulture)).ToArray(),
                rows.Select(r => MetricColumns.Number(costs, r, "router_update_seconds")).ToArray());
        }).Where(s => s.X.Count > 0).ToArray();
        return new ChartSpec("Router update cost of each addition", "shards present after the addition", "router update wall seconds", series)
        {
            Caption = caption + "; wall times on a shared 2-core machine",
        };
    }
}
