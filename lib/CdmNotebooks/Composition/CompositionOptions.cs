namespace CdmNotebooks.Composition;

/// <summary>How a <see cref="ComposedDenoiser"/> evaluates shards and whether it records weights.</summary>
/// <param name="Sparsity">Which shards to evaluate per sample (dense by default).</param>
/// <param name="RecordWeights">Record every call's weights in <see cref="ComposedDenoiser.Trajectory"/> (for attribution); off costs nothing.</param>
public sealed record CompositionOptions(SparseSelection? Sparsity = null, bool RecordWeights = false)
{
    /// <summary>Dense, not recording.</summary>
    public static CompositionOptions Default { get; } = new();
}
