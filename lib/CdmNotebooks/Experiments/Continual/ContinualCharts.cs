using CdmNotebooks.Composition;
using CdmNotebooks.Reporting;

namespace CdmNotebooks.Experiments.Continual;

/// <summary>The continual experiment's figures built from its rows: FID against shards present per router (the paper's Fig. 2), and the router update cost of each addition.</summary>
public static class ContinualCharts
{
    /// <summary>FID (CdmNet features) after each addition, one line per router kind; error bars are half the 95% bootstrap interval.</summary>
    public static ChartSpec FidVsShardsPresent(IReadOnlyList<ContinualRow> table, string caption)
    {
        ArgumentNullException.ThrowIfNull(table);
        var series = ContinualExperiment.Routers.Select(RouterKindNames.Name).Select(router =>
        {
            var rows = table.Where(r => r.Router == router).OrderBy(r => r.ShardsPresent).ToArray();
            return new ChartSeries(router, rows.Select(r => (double)r.ShardsPresent).ToArray(), rows.Select(r => r.Metrics.Fid).ToArray(),
                rows.Select(r => r.Metrics.FidHalfInterval).ToArray());
        }).Where(s => s.X.Count > 0).ToArray();
        return new ChartSpec("Shards arriving one at a time: FID vs shards present", "shards present", "FID (CdmNet features), lower is better", series)
        {
            Caption = caption + "; read right to left it is shard forgetting",
        };
    }

    /// <summary>Seconds spent updating each router kind when a shard arrives (new shard training is shared by all kinds and reported in the table).</summary>
    public static ChartSpec RouterUpdateCost(IReadOnlyList<ContinualCostRow> costs, string caption)
    {
        ArgumentNullException.ThrowIfNull(costs);
        var series = ContinualExperiment.Routers.Select(RouterKindNames.Name).Select(router =>
        {
            var rows = costs.Where(r => r.Router == router).OrderBy(r => r.ShardsPresent).ToArray();
            return new ChartSeries(router, rows.Select(r => (double)r.ShardsPresent).ToArray(), rows.Select(r => r.RouterUpdateSeconds).ToArray());
        }).Where(s => s.X.Count > 0).ToArray();
        return new ChartSpec("Router update cost of each addition", "shards present after the addition", "router update wall seconds", series)
        {
            Caption = caption + "; wall times on a shared 2-core machine",
        };
    }
}
