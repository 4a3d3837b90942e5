namespace CdmNotebooks.Composition;

/// <summary>What a sparse selection would drop along dense weight trajectories: how early weights concentrate and how much dropped weight comes back.</summary>
/// <param name="Threshold">The threshold audited.</param>
/// <param name="ShardsPerStep">Mean over samples, per step, of the shards a sparse path would still evaluate (weight at or above the threshold, or the largest, and never dropped before).</param>
/// <param name="DroppedPairs">(sample, shard) pairs whose weight fell below the threshold at some step (and which a path router would then drop).</param>
/// <param name="ReturnedAboveThreshold">Of those, pairs whose dense weight was later at or above the threshold again.</param>
/// <param name="ReturnedAboveHalf">Of those, pairs whose dense weight later reached 0.5 (the shard would have dominated the sample).</param>
/// <param name="MaxDroppedWeight">Largest dense weight, over samples and steps, of the shards already dropped for that sample: the eps of the error bound.</param>
/// <param name="MeanDroppedWeight">Mean over samples and steps of that dropped weight.</param>
public sealed record SparsityAudit(
    double Threshold,
    IReadOnlyList<double> ShardsPerStep,
    long DroppedPairs,
    long ReturnedAboveThreshold,
    long ReturnedAboveHalf,
    double MaxDroppedWeight,
    double MeanDroppedWeight)
{
    /// <summary>First step from which every later step evaluates at most <paramref name="shards"/> shards per sample on average, or -1.</summary>
    public int ConcentratedFrom(double shards = 1.0)
    {
        var from = -1;
        for (var s = ShardsPerStep.Count - 1; s >= 0 && ShardsPerStep[s] <= shards + 1e-9; s--)
        {
            from = s;
        }

        return from;
    }

    /// <summary>Audits <paramref name="trajectories"/> (dense weights, one per batch, equal step counts) under the drop-for-the-rest-of-the-path rule at <paramref name="threshold"/>.</summary>
    public static SparsityAudit Of(IReadOnlyList<WeightTrajectory> trajectories, double threshold)
    {
        ArgumentNullException.ThrowIfNull(trajectories);
        if (trajectories.Count == 0 || !(threshold > 0 && threshold < 1))
        {
            throw new ArgumentException($"An audit needs at least one trajectory and 0 < threshold < 1; got {trajectories.Count} trajectories, threshold {threshold}.");
        }

        var steps = trajectories[0].Steps;
        if (trajectories.Any(t => t.Steps != steps))
        {
            throw new ArgumentException("Every audited trajectory must have the same number of steps (one sampling run per batch).");
        }

        var kept = new double[steps];
        long samples = 0, dropped = 0, backAboveThreshold = 0, backAboveHalf = 0;
        double maxDropped = 0, sumDropped = 0;
        foreach (var trajectory in trajectories)
        {
            for (var b = 0; b < trajectory.Batch; b++)
            {
                samples++;
                var droppedAt = Enumerable.Repeat(-1, trajectory.Shards).ToArray();
                var peak = new double[trajectory.Shards];
                for (var s = 0; s < steps; s++)
                {
                    var best = 0;
                    for (var k = 1; k < trajectory.Shards; k++)
                    {
                        if (trajectory.Weight(s, b, k) > trajectory.Weight(s, b, best))
                        {
                            best = k;
                        }
                    }

                    var droppedWeight = 0.0;
                    for (var k = 0; k < trajectory.Shards; k++)
                    {
                        var w = trajectory.Weight(s, b, k);
                        if (droppedAt[k] >= 0)
                        {
                            droppedWeight += w;
                            peak[k] = Math.Max(peak[k], w);
                        }
                        else if (w < threshold && k != best)
                        {
                            droppedAt[k] = s;
                        }
                        else
                        {
                            kept[s]++;
                        }
                    }

                    maxDropped = Math.Max(maxDropped, droppedWeight);
                    sumDropped += droppedWeight;
                }

                for (var k = 0; k < trajectory.Shards; k++)
                {
                    if (droppedAt[k] < 0)
                    {
                        continue;
                    }

                    dropped++;
                    backAboveThreshold += peak[k] >= threshold ? 1 : 0;
                    backAboveHalf += peak[k] >= 0.5 ? 1 : 0;
                }
            }
        }

        return new SparsityAudit(threshold, kept.Select(k => k / samples).ToArray(), dropped, backAboveThreshold, backAboveHalf,
            maxDropped, sumDropped / (samples * (double)steps));
    }
}
