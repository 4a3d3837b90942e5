namespace CdmNotebooks.Composition;

/// <summary>Which shards a composed denoiser evaluates per sample: dense (all allowed), or only those whose weight can matter.</summary>
/// <remarks>
/// A shard is kept for a sample when its weight is at least <see cref="Threshold"/> and it is among the <see cref="TopK"/> largest
/// (0 = no limit); the largest weight is always kept. Kept weights are renormalized to sum to 1, so dropping shards of total weight
/// epsilon changes the output by at most epsilon times the spread of the shard predictions.
/// </remarks>
/// <param name="Threshold">Minimum weight to evaluate a shard for a sample (0 = no threshold).</param>
/// <param name="TopK">Maximum shards per sample (0 = no limit).</param>
public sealed record SparseSelection(double Threshold = 0, int TopK = 0)
{
    /// <summary>Evaluate every allowed shard for every sample.</summary>
    public static SparseSelection Dense { get; } = new();

    /// <summary>True when nothing is pruned.</summary>
    public bool IsDense => Threshold <= 0 && TopK <= 0;

    /// <summary>Throws on values that make no sense.</summary>
    public SparseSelection Validated() =>
        Threshold is < 0 or >= 1 || TopK < 0
            ? throw new ArgumentOutOfRangeException(nameof(Threshold), $"Sparse selection needs 0 <= threshold < 1 and top-k >= 0; got {Threshold}, {TopK}.")
            : this;

    /// <summary>Short description, e.g. <c>dense</c> or <c>threshold=0.01,top-k=2</c>.</summary>
    public override string ToString() =>
        IsDense ? "dense" : string.Join(",", new[] { Threshold > 0 ? $"threshold={Threshold}" : null, TopK > 0 ? $"top-k={TopK}" : null }.OfType<string>());
}
