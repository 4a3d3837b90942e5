namespace CdmNotebooks.Experiments.Forgetting;

/// <summary>The scores of one sampled model or composition: FID with its 95% bootstrap interval, KID, conditional accuracy, sampling time.</summary>
public sealed record Score(double Fid, double FidLow, double FidHigh, double Kid, double KidSe, double Accuracy, double AccuracySe, double SampleSeconds);
