namespace CdmNotebooks.Evaluation;

/// <summary>Memorization probe results in pixel space and in feature space for the same generated samples.</summary>
public sealed record MemorizationReport(MemorizationSpaceReport Pixel, MemorizationSpaceReport Feature);
