namespace CdmNotebooks.Evaluation;

/// <summary>Memorization probe results in one space (pixels or features).</summary>
/// <param name="Space">"pixel" or the feature extractor's name.</param>
/// <param name="Threshold">Ratio below which a sample counts as a near-copy.</param>
/// <param name="Neighbours">k, the number of nearest training images averaged in the denominator.</param>
/// <param name="Matches">One entry per generated sample, in input order.</param>
/// <param name="FractionBelowThreshold">Fraction of generated samples flagged as near-copies.</param>
public sealed record MemorizationSpaceReport(
    string Space,
    double Threshold,
    int Neighbours,
    IReadOnlyList<MemorizationMatch> Matches,
    double FractionBelowThreshold);
