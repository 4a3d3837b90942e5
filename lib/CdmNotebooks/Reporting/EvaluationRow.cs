using CdmNotebooks.Evaluation;
using CsvHelper;

namespace CdmNotebooks.Reporting;

/// <summary>
/// The columns of one <see cref="EvaluationReport"/> in every result file that holds one: FID and KID in the feature network's space with
/// their intervals, conditional accuracy and its standard error, and the sample count. A row type nests it with no prefix.
/// </summary>
/// <param name="Fid">FID (CdmNet features).</param>
/// <param name="FidLow">Lower end of FID's 95 % bootstrap interval.</param>
/// <param name="FidHigh">Upper end of FID's 95 % bootstrap interval.</param>
/// <param name="Kid">KID (CdmNet features).</param>
/// <param name="KidStd">KID's standard deviation over its subsets.</param>
/// <param name="ConditionalAccuracy">Agreement with the requested classes; empty when no classes were requested.</param>
/// <param name="ConditionalAccuracySe">Its binomial standard error; empty with it.</param>
/// <param name="Samples">Number of evaluated images.</param>
[CsvRecord]
public sealed partial record EvaluationRow(
    [property: CsvColumn("fid_cdmnet")] double Fid,
    [property: CsvColumn("fid_low")] double FidLow,
    [property: CsvColumn("fid_high")] double FidHigh,
    [property: CsvColumn("kid_cdmnet")] double Kid,
    [property: CsvColumn("kid_std")] double KidStd,
    [property: CsvColumn("cond_acc")] double? ConditionalAccuracy,
    [property: CsvColumn("cond_acc_se")] double? ConditionalAccuracySe,
    [property: CsvColumn("samples")] int Samples)
{
    /// <summary>Half the width of FID's interval (0 when it has none): a chart's error bar.</summary>
    public double FidHalfInterval => double.IsFinite(FidHigh - FidLow) ? (FidHigh - FidLow) / 2 : 0;

    /// <summary>The row of <paramref name="report"/>, rounded to 6 decimals (more than any interval resolves).</summary>
    public static EvaluationRow Of(EvaluationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var (fid, kid, accuracy) = (report.Fid, report.Kid, report.ConditionalAccuracy);
        return new EvaluationRow(
            ResultValue.Round(fid.Value), ResultValue.Round(fid.ConfidenceLow), ResultValue.Round(fid.ConfidenceHigh), ResultValue.Round(kid.Value),
            ResultValue.Round(kid.StandardDeviation), ResultValue.Round(accuracy?.Accuracy), ResultValue.Round(accuracy?.StandardError), report.SampleCount);
    }
}
