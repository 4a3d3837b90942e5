using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.Composition.Analytic;

/// <summary>The exact denoiser of one Gaussian shard: E[x0 | x_t] = mean + a v / (a^2 v + 1 - alphabar) (x_t - a mean), a = sqrt(alphabar).</summary>
/// <remarks>A ground truth for composition tests: the composition of exact shard denoisers under exact posterior weights is the exact mixture denoiser.</remarks>
public sealed class GaussianShardDenoiser : IDenoiser
{
    private readonly GaussianShard _shard;

    /// <summary>Denoises for <paramref name="shard"/> under <paramref name="schedule"/>.</summary>
    public GaussianShardDenoiser(GaussianShard shard, NoiseSchedule schedule)
    {
        _shard = shard ?? throw new ArgumentNullException(nameof(shard));
        Schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
    }

    /// <inheritdoc />
    public NoiseSchedule Schedule { get; }

    /// <summary>How many samples this denoiser was asked to denoise (lets tests see which shards a composition evaluated).</summary>
    public long Calls { get; private set; }

    /// <inheritdoc />
    public Tensor PredictX0(Tensor x, Tensor t, Conditioning conditioning)
    {
        using var scope = NewDisposeScope();
        Calls += x.shape[0];
        var a = Schedule.Gather(Schedule.SqrtAlphasCumprod, t, x.shape);
        var oneMinus = 1 - a.square();
        var mean = _shard.MeanTensor(x.device);
        var gain = a * _shard.Variance / (a.square() * _shard.Variance + oneMinus);
        return (mean + gain * (x - a * mean)).MoveToOuterDisposeScope();
    }
}
