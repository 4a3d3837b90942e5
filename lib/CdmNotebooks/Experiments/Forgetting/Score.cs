namespace CdmNotebooks.Experiments.Forgetting;

/// <summary>The scores of one sampled model or composition: FID with its 95% bootstrap interval, KID, conditional accuracy over <paramref name="Samples"/> samples, sampling time.</summary>
public sealed record Score(
    double Fid, double FidLow, double FidHigh, double Kid, double KidSe, double Accuracy, double AccuracySe, int Samples, double SampleSeconds);
