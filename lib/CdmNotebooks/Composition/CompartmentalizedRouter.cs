using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.Composition;

/// <summary>One density-ratio head per shard, each trained only on its own shard versus a shared public reference set: w_i proportional to lambda_i r_i(x_t, t).</summary>
/// <remarks>
/// A head trained by balanced logistic regression has logit log p_t^i(x) - log p_t^ref(x); the reference density is common to all heads
/// and cancels in the normalization, leaving w_i = lambda_i p_t^i / sum_j lambda_j p_t^j. Forgetting or adding a shard touches only its
/// head, and a head that is masked out need not be loaded at all (null).
/// </remarks>
public sealed class CompartmentalizedRouter : IRouter
{
    private readonly RouterNetwork?[] _heads;
    private readonly ShardPriors _priors;

    /// <summary>Heads in shard order (null where the shard will always be masked) and mixture priors lambda.</summary>
    public CompartmentalizedRouter(IReadOnlyList<RouterNetwork?> heads, ShardPriors priors)
    {
        ArgumentNullException.ThrowIfNull(heads);
        _priors = priors ?? throw new ArgumentNullException(nameof(priors));
        if (heads.Count != priors.Count)
        {
            throw new ArgumentException($"{heads.Count} heads but {priors.Count} priors; give one of each per shard.", nameof(heads));
        }

        foreach (var head in heads.OfType<RouterNetwork>())
        {
            if (head.Config.Outputs != 1)
            {
                throw new ArgumentException($"A density-ratio head has one output logit; got a network with {head.Config.Outputs}.", nameof(heads));
            }
        }

        _heads = heads.ToArray();
    }

    /// <inheritdoc />
    public int ShardCount => _heads.Length;

    /// <inheritdoc />
    public Tensor Weights(Tensor x, Tensor t, Conditioning conditioning, ShardMask mask)
    {
        using var scope = NewDisposeScope();
        var log = _priors.Log(Conditioning.None, x.shape[0], x.device);
        var columns = new Tensor[_heads.Length];
        for (var i = 0; i < _heads.Length; i++)
        {
            if (!mask[i])
            {
                columns[i] = zeros(x.shape[0], 1, device: x.device);
                continue;
            }

            var head = _heads[i] ?? throw new InvalidOperationException(
                $"Shard {i} is allowed but its density-ratio head was not loaded; load every allowed shard's head.");
            columns[i] = head.Logits(x, t, conditioning.ClassLabels);
        }

        return RouterMath.NormalizeLogWeights(log + cat(columns, 1), mask).MoveToOuterDisposeScope();
    }
}
