using static TorchSharp.torch;

namespace CdmNotebooks.Composition;

/// <summary>Turns per-shard log-weights into normalized weights under a shard mask (shared by every router).</summary>
public static class RouterMath
{
    /// <summary>softmax over shards of <paramref name="logWeights"/> [B,N] with masked shards set to -inf, so they get exactly 0 and the others renormalize.</summary>
    public static Tensor NormalizeLogWeights(Tensor logWeights, ShardMask mask)
    {
        ArgumentNullException.ThrowIfNull(logWeights);
        ArgumentNullException.ThrowIfNull(mask);
        if (logWeights.dim() != 2 || logWeights.shape[1] != mask.Count)
        {
            throw new ArgumentException(
                $"Log-weights must be [B, {mask.Count}] (one column per shard of the mask); got [{string.Join(",", logWeights.shape)}].", nameof(logWeights));
        }

        using var scope = NewDisposeScope();
        var allowed = tensor(mask.Allowed.ToArray(), device: logWeights.device).unsqueeze(0);
        var masked = logWeights.to(ScalarType.Float32).masked_fill(allowed.logical_not(), double.NegativeInfinity);
        var rowMax = masked.max(1).values;
        var dead = rowMax.isinf().logical_and(rowMax.lt(0));
        if (dead.any().item<bool>())
        {
            var row = dead.nonzero()[0, 0].item<long>();
            throw new InvalidOperationException(
                $"Sample {row} has zero prior or likelihood under every allowed shard (all log-weights are -inf), so no mixture weight exists. " +
                "Typically the requested class is in no entitled shard; check the class and the user's entitlements.");
        }

        return softmax(masked, 1).MoveToOuterDisposeScope();
    }
}
