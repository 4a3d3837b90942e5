namespace CdmNotebooks.Experiments;

/// <summary>Thrown by <see cref="ExperimentReport.EnsurePassed"/> when an experiment's results lack a property they must have.</summary>
public sealed class SanityCheckFailedException(string message) : Exception(message);
