namespace CdmNotebooks.Evaluation;

/// <summary>How often a classifier agrees with the class each sample was generated for.</summary>
/// <param name="Accuracy">Correct / Count.</param>
/// <param name="Correct">Samples whose predicted class equals the requested class.</param>
/// <param name="Count">Samples scored.</param>
/// <param name="StandardError">Binomial standard error sqrt(p (1 - p) / n).</param>
/// <param name="PerClassAccuracy">Accuracy per requested class (only classes that were requested appear).</param>
/// <param name="Predicted">Predicted class per sample, in input order.</param>
public sealed record ConditionalAccuracyResult(
    double Accuracy,
    int Correct,
    int Count,
    double StandardError,
    IReadOnlyDictionary<long, double> PerClassAccuracy,
    IReadOnlyList<long> Predicted);
