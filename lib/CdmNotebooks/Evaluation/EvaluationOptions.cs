namespace CdmNotebooks.Evaluation;

/// <summary>Settings of one evaluation: bootstrap size, KID subsets and the seed of every random choice.</summary>
/// <param name="BootstrapResamples">FID bootstrap resamples (0 = no interval).</param>
/// <param name="ConfidenceLevel">Coverage of the FID interval.</param>
/// <param name="KidSubsets">KID subsets.</param>
/// <param name="KidSubsetSize">KID subset size (capped at half the smaller set, so subsets differ).</param>
/// <param name="Seed">Seed of bootstrap, KID subsets and the real-floor train subset.</param>
public sealed record EvaluationOptions(
    int BootstrapResamples = 100,
    double ConfidenceLevel = 0.95,
    int KidSubsets = 100,
    int KidSubsetSize = 1000,
    int Seed = 0);
