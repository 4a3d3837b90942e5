using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.Composition;

/// <summary>The random-pick baseline: each sample draws one shard i ~ lambda_i(c) at the start of its path and uses only that shard to the end.</summary>
/// <remarks>
/// Sampling the fixed-weight mixture sum_i lambda_i p^i by first drawing the component is exact (SuperDiff, Skreta et al. 2025, matches
/// its OR composition this way), so every posterior-weight router must match or beat it; its weights are one-hot, so a sparse
/// composition evaluates one shard per sample-step.
/// </remarks>
public sealed class RandomPickRouter : IPathRouter, IDisposable
{
    private readonly ShardPriors _priors;
    private readonly Generator _generator;
    private Tensor? _picks;

    /// <summary>Draws picks from the class-conditional priors <paramref name="priors"/> with a generator seeded by <paramref name="seed"/>.</summary>
    public RandomPickRouter(ShardPriors priors, long seed)
    {
        _priors = priors ?? throw new ArgumentNullException(nameof(priors));
        _generator = new Generator().manual_seed(seed);
    }

    /// <inheritdoc />
    public int ShardCount => _priors.Count;

    /// <summary>The shard each sample of the current path drew ([B] int64), or null before the path's first step.</summary>
    public Tensor? Picks => _picks;

    /// <inheritdoc />
    public void BeginPath(int batch)
    {
        _picks?.Dispose();
        _picks = null;
    }

    /// <inheritdoc />
    public Tensor Weights(Tensor x, Tensor t, Conditioning conditioning, ShardMask mask)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(conditioning);
        using var scope = NewDisposeScope();
        var batch = x.shape[0];
        if (_picks is null || _picks.shape[0] != batch)
        {
            // Drawn on the CPU generator so the picks are the same on every device.
            var probabilities = RouterMath.NormalizeLogWeights(_priors.Log(conditioning, batch, CPU), mask);
            _picks?.Dispose();
            _picks = multinomial(probabilities, 1, replacement: true, generator: _generator).squeeze(1).DetachFromDisposeScope();
        }

        return nn.functional.one_hot(_picks, ShardCount).to(ScalarType.Float32).to(x.device).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Observe(Tensor x, Tensor t, Tensor shardX0, Tensor evaluated)
    {
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _picks?.Dispose();
        _generator.Dispose();
    }
}
