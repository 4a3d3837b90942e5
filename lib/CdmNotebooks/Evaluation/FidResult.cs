namespace CdmNotebooks.Evaluation;

/// <summary>A Fréchet distance between two feature sets with its bias-corrected percentile-bootstrap confidence interval.</summary>
/// <param name="Value">FID on the full sets.</param>
/// <param name="ConfidenceLow">Lower bias-corrected percentile of the bootstrap distribution (NaN when no bootstrap was run).</param>
/// <param name="ConfidenceHigh">Upper bias-corrected percentile of the bootstrap distribution (NaN when no bootstrap was run).</param>
/// <param name="ConfidenceLevel">Coverage of the interval, e.g. 0.95.</param>
/// <param name="BootstrapResamples">Number of bootstrap resamples (0 = none).</param>
/// <param name="FirstCount">Number of samples in the first set.</param>
/// <param name="SecondCount">Number of samples in the second set.</param>
public sealed record FidResult(
    double Value,
    double ConfidenceLow,
    double ConfidenceHigh,
    double ConfidenceLevel,
    int BootstrapResamples,
    int FirstCount,
    int SecondCount);
