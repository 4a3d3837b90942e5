using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.Experiments;

/// <summary>The broken model of <see cref="ExperimentMutation.NoiseDenoiser"/>: predicts x0 as fresh uniform noise in the data range [-1, 1], whatever it is asked.</summary>
public sealed class NoiseDenoiser : IDenoiser, IDisposable
{
    private readonly Generator _noise;

    /// <summary>Stands in for a model of <paramref name="schedule"/>; draws its noise from <paramref name="seed"/>.</summary>
    public NoiseDenoiser(NoiseSchedule schedule, int seed)
    {
        Schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
        _noise = new Generator().manual_seed(seed);
    }

    /// <inheritdoc />
    public NoiseSchedule Schedule { get; }

    /// <inheritdoc />
    public Tensor PredictX0(Tensor x, Tensor t, Conditioning conditioning)
    {
        ArgumentNullException.ThrowIfNull(x);
        return rand(x.shape, generator: _noise, dtype: x.dtype).to(x.device) * 2 - 1;
    }

    public void Dispose() => _noise.Dispose();
}
