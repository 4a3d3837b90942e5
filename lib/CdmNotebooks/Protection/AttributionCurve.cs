namespace CdmNotebooks.Protection;

/// <summary>Mean weight of each shard over a batch at every step of the reverse process (the paper's Fig. 3 curve).</summary>
/// <param name="Timesteps">Timestep of each step (high noise first).</param>
/// <param name="MeanWeights">[step][shard] batch-mean weight.</param>
public sealed record AttributionCurve(IReadOnlyList<long> Timesteps, IReadOnlyList<IReadOnlyList<double>> MeanWeights);
