using System.Globalization;
using CdmNotebooks.Composition;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Evaluation;
using CdmNotebooks.Reporting;

namespace CdmNotebooks.Experiments.Table1;

/// <summary>The metric columns Table 1 and the continual experiment share: FID and KID in CdmNet features with their intervals, and conditional accuracy.</summary>
public static class MetricColumns
{
    /// <summary>FID (CdmNet features), its 95% bootstrap interval, KID (CdmNet features) and its spread, conditional accuracy and its standard error, sample count.</summary>
    public static IReadOnlyList<string> Names { get; } = new[]
    {
        "fid_cdmnet", "fid_low", "fid_high", "kid_cdmnet", "kid_std", "cond_acc", "cond_acc_se", "samples",
    };

    /// <summary>The value of the shared <c>composition</c> column: how a composed denoiser selects shards (dense or sparse), or "single model".</summary>
    public static string Composition(IDenoiser denoiser) => (denoiser as ComposedDenoiser)?.Sparsity.ToString() ?? "single model";

    /// <summary>The column values of <paramref name="report"/>.</summary>
    public static (string Column, object? Value)[] Of(EvaluationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new (string, object?)[]
        {
            ("fid_cdmnet", report.Fid.Value), ("fid_low", report.Fid.ConfidenceLow), ("fid_high", report.Fid.ConfidenceHigh),
            ("kid_cdmnet", report.Kid.Value), ("kid_std", report.Kid.StandardDeviation),
            ("cond_acc", report.ConditionalAccuracy?.Accuracy), ("cond_acc_se", report.ConditionalAccuracy?.StandardError),
            ("samples", report.SampleCount),
        };
    }

    /// <summary>The number in <paramref name="column"/> of row <paramref name="row"/> (NaN when empty).</summary>
    public static double Number(ResultTable table, int row, string column)
    {
        ArgumentNullException.ThrowIfNull(table);
        var text = table.Get(row, column);
        return text.Length == 0 ? double.NaN : double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>The indices of rows whose columns equal the given values.</summary>
    public static IEnumerable<int> Rows(ResultTable table, params (string Column, string Value)[] key)
    {
        ArgumentNullException.ThrowIfNull(table);
        return Enumerable.Range(0, table.Rows.Count).Where(r => key.All(k => table.Get(r, k.Column) == k.Value));
    }
}
