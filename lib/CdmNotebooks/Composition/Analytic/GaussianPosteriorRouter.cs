using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.Composition.Analytic;

/// <summary>The exact weights w_i = lambda_i p_t^i(x) / sum_j lambda_j p_t^j(x) for Gaussian shards: the target every router approximates.</summary>
public sealed class GaussianPosteriorRouter : IRouter
{
    private readonly IReadOnlyList<GaussianShard> _shards;
    private readonly ShardPriors _priors;
    private readonly NoiseSchedule _schedule;

    /// <summary>Exact posterior over <paramref name="shards"/> with mixture priors <paramref name="priors"/>.</summary>
    public GaussianPosteriorRouter(IReadOnlyList<GaussianShard> shards, ShardPriors priors, NoiseSchedule schedule)
    {
        _shards = shards ?? throw new ArgumentNullException(nameof(shards));
        _priors = priors ?? throw new ArgumentNullException(nameof(priors));
        _schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
        if (shards.Count != priors.Count)
        {
            throw new ArgumentException($"{shards.Count} shards but {priors.Count} priors.", nameof(priors));
        }
    }

    /// <inheritdoc />
    public int ShardCount => _shards.Count;

    /// <summary>The exact log p_t^i(x) + log lambda_i [B, N] (float64).</summary>
    public Tensor LogJoint(Tensor x, Tensor t, Conditioning conditioning)
    {
        using var scope = NewDisposeScope();
        var a = _schedule.Gather(_schedule.SqrtAlphasCumprod, t, [x.shape[0]]);
        var log = stack(_shards.Select(s => s.LogMarginal(x, a)).ToArray(), 1);
        return (log + _priors.Log(conditioning, x.shape[0], x.device).to(ScalarType.Float64)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public Tensor Weights(Tensor x, Tensor t, Conditioning conditioning, ShardMask mask)
    {
        using var scope = NewDisposeScope();
        // At small t the log-densities are in the thousands; subtracting the row maximum in float64 keeps their differences exact in float32.
        var log = LogJoint(x, t, conditioning);
        log = log - log.max(1, keepdim: true).values;
        return RouterMath.NormalizeLogWeights(log, mask).MoveToOuterDisposeScope();
    }
}
