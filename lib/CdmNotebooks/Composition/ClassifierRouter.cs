using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.Composition;

/// <summary>The paper's router: one time-conditioned classifier predicting the shard of a noised sample, w = softmax(logits) over allowed shards.</summary>
/// <remarks>
/// Trained on all shards' data in proportion to their sizes, it estimates P(i | x_t [, c]) with lambda_i = shard size fractions.
/// Masking renormalizes exactly (P(i | x, i in S) = P(i | x) / P(S | x)), but because it saw every shard, forgetting data or a
/// shard for privacy requires retraining it; adding a shard requires retraining with one more output.
/// </remarks>
public sealed class ClassifierRouter : IRouter
{
    private readonly RouterNetwork _network;

    /// <summary>Wraps a trained classifier whose output i is shard i.</summary>
    public ClassifierRouter(RouterNetwork network) => _network = network ?? throw new ArgumentNullException(nameof(network));

    /// <inheritdoc />
    public int ShardCount => _network.Config.Outputs;

    /// <inheritdoc />
    public Tensor Weights(Tensor x, Tensor t, Conditioning conditioning, ShardMask mask)
    {
        using var scope = NewDisposeScope();
        var logits = _network.Logits(x, t, conditioning.ClassLabels);
        return RouterMath.NormalizeLogWeights(logits, mask).MoveToOuterDisposeScope();
    }
}
