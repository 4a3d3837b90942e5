using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.Composition;

/// <summary>The baseline w_i = lambda_i for every sample and time: averages shard outputs and so conflates their distributions.</summary>
public sealed class NaiveAveragingRouter : IRouter
{
    private readonly ShardPriors _priors;

    /// <summary>Averages with the global priors lambda (class priors are deliberately ignored: that is the baseline).</summary>
    public NaiveAveragingRouter(ShardPriors priors) => _priors = priors ?? throw new ArgumentNullException(nameof(priors));

    /// <inheritdoc />
    public int ShardCount => _priors.Count;

    /// <inheritdoc />
    public Tensor Weights(Tensor x, Tensor t, Conditioning conditioning, ShardMask mask)
    {
        using var scope = NewDisposeScope();
        var log = _priors.Log(Conditioning.None, x.shape[0], x.device);
        return RouterMath.NormalizeLogWeights(log, mask).MoveToOuterDisposeScope();
    }
}
