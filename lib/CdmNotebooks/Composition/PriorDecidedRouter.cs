using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.Composition;

/// <summary>Wraps a router so that samples whose shard the prior alone decides get that shard's one-hot weight without running the wrapped router.</summary>
/// <remarks>
/// w_i = P(i | x_t, c) is proportional to P(i | c) p_t^i(x | c), so when exactly one allowed shard has P(i | c) &gt; 0 the posterior is
/// exactly one-hot for every x_t and t (e.g. a by-class split sampled with the class given). A trained router only approximates that, at
/// the cost of a network evaluation per sample and step; this wrapper returns the exact answer for those samples and runs the wrapped
/// router once per call on the batch of the remaining ones. Path routers are refused: their state follows every sample of the batch.
/// </remarks>
public sealed class PriorDecidedRouter : IRouter
{
    private readonly IRouter _inner;
    private readonly ShardPriors _priors;

    /// <summary>Decides from <paramref name="priors"/> where it can and asks <paramref name="inner"/> for the rest.</summary>
    public PriorDecidedRouter(IRouter inner, ShardPriors priors)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _priors = priors ?? throw new ArgumentNullException(nameof(priors));
        if (inner is IPathRouter)
        {
            throw new ArgumentException(
                "A path router follows every sample of the batch at every step; it cannot be skipped for some samples. Wrap only per-step routers.", nameof(inner));
        }

        if (inner.ShardCount != priors.Count)
        {
            throw new ArgumentException($"The router weighs {inner.ShardCount} shards but the priors cover {priors.Count}.", nameof(priors));
        }
    }

    /// <inheritdoc />
    public int ShardCount => _inner.ShardCount;

    /// <summary>The wrapped router.</summary>
    public IRouter Inner => _inner;

    /// <summary>Samples passed to the wrapped router so far (summed over calls): what the router network cost.</summary>
    public long InnerSamples { get; private set; }

    /// <summary>Samples whose weights came from the prior alone so far (summed over calls).</summary>
    public long DecidedSamples { get; private set; }

    /// <inheritdoc />
    public Tensor Weights(Tensor x, Tensor t, Conditioning conditioning, ShardMask mask)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(t);
        ArgumentNullException.ThrowIfNull(conditioning);
        using var scope = NewDisposeScope();
        var batch = x.shape[0];
        var decided = _priors.Decided(conditioning, batch, mask, x.device);
        var open = decided.lt(0);
        var openCount = open.sum().item<long>();
        DecidedSamples += batch - openCount;
        InnerSamples += openCount;
        if (openCount == batch)
        {
            return _inner.Weights(x, t, conditioning, mask).MoveToOuterDisposeScope();
        }

        var weights = nn.functional.one_hot(decided.clamp_min(0), ShardCount).to(ScalarType.Float32);
        if (openCount > 0)
        {
            var rows = open.nonzero().flatten();
            var subset = new Conditioning(conditioning.ClassLabels?.index_select(0, rows), conditioning.Embedding?.index_select(0, rows));
            weights.index_copy_(0, rows, _inner.Weights(x.index_select(0, rows), t.index_select(0, rows), subset, mask).to(ScalarType.Float32));
        }

        return weights.MoveToOuterDisposeScope();
    }
}
