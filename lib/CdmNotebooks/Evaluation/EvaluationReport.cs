namespace CdmNotebooks.Evaluation;

/// <summary>FID, KID and (for class-conditional samples) conditional accuracy of one sample set against one reference set.</summary>
/// <param name="FeatureSpace">The extractor's name, e.g. "CdmNet features (fashion-mnist)"; FID labels read "FID (CdmNet features ...)".</param>
/// <param name="Samples">What was evaluated (file, folder or "fashion-mnist/train subset").</param>
/// <param name="Reference">What it was compared with, e.g. "fashion-mnist/test".</param>
/// <param name="SampleCount">Number of evaluated images.</param>
/// <param name="ReferenceCount">Number of reference images.</param>
/// <param name="Fid">FID with its bootstrap interval.</param>
/// <param name="Kid">KID with its spread.</param>
/// <param name="ConditionalAccuracy">Agreement with the requested classes, or null when no classes were given.</param>
/// <param name="Seconds">Wall-clock time of feature extraction plus metrics.</param>
public sealed record EvaluationReport(
    string FeatureSpace,
    string Samples,
    string Reference,
    int SampleCount,
    int ReferenceCount,
    FidResult Fid,
    KidResult Kid,
    ConditionalAccuracyResult? ConditionalAccuracy,
    double Seconds)
{
    /// <summary>"FID (CdmNet features (fashion-mnist))": the honest label to print beside the value.</summary>
    public string FidLabel => $"FID ({FeatureSpace})";

    /// <summary>"KID (CdmNet features (fashion-mnist))".</summary>
    public string KidLabel => $"KID ({FeatureSpace})";
}
