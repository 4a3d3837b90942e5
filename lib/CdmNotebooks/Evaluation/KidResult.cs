namespace CdmNotebooks.Evaluation;

/// <summary>Kernel distance (KID): mean of unbiased MMD^2 estimates over random subsets, with their spread.</summary>
/// <param name="Value">Mean of the per-subset unbiased MMD^2 estimates.</param>
/// <param name="StandardDeviation">Standard deviation of the per-subset estimates (what torch-fidelity calls kid_std).</param>
/// <param name="StandardError">StandardDeviation / sqrt(Subsets); subsets overlap when they are drawn from the same pool,
/// so this understates the true error and is a lower bound on it.</param>
/// <param name="Subsets">Number of subsets averaged.</param>
/// <param name="SubsetSize">Samples drawn from each set per subset.</param>
public sealed record KidResult(double Value, double StandardDeviation, double StandardError, int Subsets, int SubsetSize);
