using CdmNotebooks.Composition;
using CdmNotebooks.Composition.Analytic;
using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.Composition;

/// <summary>Three well-separated 2-D Gaussian shards (data shaped [B,2,1,1]) with unequal priors: the ground truth for composition tests.</summary>
internal sealed class GaussianShardSet
{
    public const double Variance = 0.25;

    private static readonly double[] PriorWeights = [0.5, 0.3, 0.2];

    /// <summary>Shards in 2-D ([2,1,1]) or, with <paramref name="pixels"/> > 1, the same means repeated over a [2,pixels,pixels] image (router networks need at least 4x4).</summary>
    public GaussianShardSet(int steps = 1000, int pixels = 1)
    {
        Schedule = NoiseSchedule.Linear(steps);
        Shape = [2, pixels, pixels];
        GaussianShard Make(float x, float y) =>
            new([.. Enumerable.Repeat(x, pixels * pixels), .. Enumerable.Repeat(y, pixels * pixels)], Variance * pixels * pixels, Shape);
        // Per-pixel variance grows with the pixel count so the spread of the per-image means, and hence the overlap of shards, stays that of the 2-D case.
        Shards = [Make(-3f, 0f), Make(3f, 0f), Make(0f, 3.5f)];
        Priors = ShardPriors.FromWeights(PriorWeights);
        Denoisers = Shards.Select(s => new GaussianShardDenoiser(s, Schedule)).ToArray();
        Exact = new GaussianPosteriorRouter(Shards, Priors, Schedule);
    }

    public NoiseSchedule Schedule { get; }

    public long[] Shape { get; }

    public GaussianShard[] Shards { get; }

    public ShardPriors Priors { get; }

    public GaussianShardDenoiser[] Denoisers { get; }

    public GaussianPosteriorRouter Exact { get; }

    /// <summary>Score (sqrt(abar) D - x) / (1 - abar) implied by a denoiser output, by Tweedie's formula.</summary>
    public Tensor ScoreFromDenoiser(Tensor x, Tensor t, Tensor x0)
    {
        var a = Schedule.Gather(Schedule.SqrtAlphasCumprod, t, x.shape);
        return (a * x0 - x) / (1 - a.square());
    }

    /// <summary>
    /// The mixture score grad_x log sum_i lambda_i p_t^i(x), by automatic differentiation of the mixture's log-density written out here
    /// from the Gaussians' parameters (p_t^i = N(a mean_i, (a^2 variance + 1 - a^2) I), a = sqrt(alphabar_t)), in float64: the reference
    /// shares no code with the routers or the shard densities under test.
    /// </summary>
    public Tensor MixtureScore(Tensor x, Tensor t)
    {
        using var scope = NewDisposeScope();
        var batch = x.shape[0];
        var leaf = x.detach().reshape(batch, -1).to(ScalarType.Float64).requires_grad_(true);
        var alphabar = tensor(Schedule.AlphasCumprod, ScalarType.Float64).index_select(0, t.to(ScalarType.Int64)).unsqueeze(1);
        var terms = Shards.Select((shard, i) =>
        {
            var mean = tensor(shard.Mean, ScalarType.Float64).unsqueeze(0) * alphabar.sqrt();
            var variance = alphabar * shard.Variance + (1 - alphabar);
            var dims = leaf.shape[1];
            return Math.Log(PriorWeights[i]) - 0.5 * ((leaf - mean).square().sum(1, keepdim: true) / variance + dims * (2 * Math.PI * variance).log());
        }).ToArray();
        cat(terms, 1).logsumexp(1).sum().backward();
        return leaf.grad!.to(ScalarType.Float32).reshape(x.shape).MoveToOuterDisposeScope();
    }

    /// <summary>Index of the nearest shard mean for each sample, and the distance to it.</summary>
    public (long[] Nearest, double[] Distance) NearestMode(Tensor samples)
    {
        var flat = samples.reshape(samples.shape[0], -1);
        var means = stack(Shards.Select(s => tensor(s.Mean)).ToArray(), 0);
        var distances = cdist(flat, means);
        var (values, indexes) = distances.min(1);
        return (indexes.data<long>().ToArray(), values.to(ScalarType.Float64).data<double>().ToArray());
    }
}
