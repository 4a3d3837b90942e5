namespace CdmNotebooks.Composition;

/// <summary>Which shards a composed denoiser evaluates per sample: dense (all allowed), or only those whose weight can matter.</summary>
/// <remarks>
/// A shard is kept for a sample when its weight is at least <see cref="Threshold"/> and it is among the <see cref="TopK"/> largest
/// (0 = no limit); the largest weight is always kept. Kept weights are renormalized to sum to 1.
/// <para>
/// Error bound, per sample and step. Let w be the router's weights (sum 1), K the kept shards, eps = sum of w_k over dropped k, and
/// D_K = sum over K of w_j D_j / (1 - eps) the sparse output. Then the dense output minus the sparse one is exactly
/// sum over dropped k of w_k (D_k - D_K), so |D_dense - D_K| &lt;= eps * max over dropped k of |D_k - D_K| (per pixel, and in any norm),
/// and, with the threshold alone, eps &lt; (N - 1) * Threshold for N allowed shards (each dropped weight is below it; with TopK, eps is
/// whatever weight falls outside the k largest). With x0 clipped to [-1, 1] the
/// spread |D_k - D_K| is at most 2 per pixel, so at threshold 0.01 and 8 shards a step moves x0 by at most 0.14 in the worst case and by
/// eps * spread in general. The bound is per step at a given state; along a path the states then differ and the difference is measured
/// (docs/benchmarks.md, "Sparse composition").
/// </para>
/// <para>
/// For a path router (<see cref="ItoDensityRouter"/>) a shard left out at some step is left out for the rest of the path, so there eps is
/// the dense weight the dropped shards would have had at this step. Exact posterior weights are a martingale along the mixture's
/// reverse path, so in expectation that weight stays below the threshold and it ever grows back above a with probability below
/// Threshold / a (see <see cref="ItoDensityRouter"/>); the benchmark measures how often it would have.
/// </para>
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
