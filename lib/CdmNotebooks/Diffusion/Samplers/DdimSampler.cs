using static TorchSharp.torch;

namespace CdmNotebooks.Diffusion;

/// <summary>DDIM (Song et al. 2021 eq. 12): eta = 0 is the deterministic probability-flow discretization, eta = 1 matches DDPM.</summary>
public sealed class DdimSampler : ISampler
{
    /// <summary>Creates a DDIM sampler with stochasticity <paramref name="eta"/> in [0, 1].</summary>
    public DdimSampler(double eta = 0.0)
    {
        if (!(eta >= 0 && eta <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(eta), eta, "DDIM eta must be in [0, 1].");
        }

        Eta = eta;
    }

    /// <summary>Stochasticity: 0 deterministic, 1 ancestral.</summary>
    public double Eta { get; }

    /// <inheritdoc />
    public string Name => "ddim";

    /// <inheritdoc />
    public Tensor Sample(IDenoiser denoiser, long[] shape, Conditioning conditioning, Generator generator, SamplingOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(denoiser);
        var schedule = denoiser.Schedule;
        return SamplerCore.Run(denoiser, shape, conditioning, generator, options, cancellationToken, (_, xt, t, s, x0) =>
        {
            if (s < 0)
            {
                return x0.alias();
            }

            var abarT = SamplerCore.AlphaBar(schedule, t);
            var abarS = SamplerCore.AlphaBar(schedule, s);
            var eps = (xt - Math.Sqrt(abarT) * x0) / Math.Sqrt(1.0 - abarT);
            var sigma = Eta * Math.Sqrt((1.0 - abarS) / (1.0 - abarT)) * Math.Sqrt(1.0 - abarT / abarS);
            var direction = Math.Sqrt(Math.Max(1.0 - abarS - sigma * sigma, 0.0)) * eps;
            var mean = Math.Sqrt(abarS) * x0 + direction;
            return sigma == 0.0 ? mean : mean + sigma * randn(xt.shape, generator: generator).to(xt.device);
        });
    }
}
