using static TorchSharp.torch;

namespace CdmNotebooks.Diffusion;

/// <summary>DDPM ancestral sampling: x_s ~ q(x_s | x_t, x0_hat), the Gaussian posterior generalized to strided timesteps (Ho et al. 2020 eq. 6-7).</summary>
public sealed class DdpmSampler : ISampler
{
    /// <inheritdoc />
    public string Name => "ddpm";

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
            // beta_{t|s} = 1 - abar_t / abar_s is the one-jump forward variance from s to t.
            var betaTs = 1.0 - abarT / abarS;
            var coefX0 = Math.Sqrt(abarS) * betaTs / (1.0 - abarT);
            var coefXt = Math.Sqrt(1.0 - betaTs) * (1.0 - abarS) / (1.0 - abarT);
            var variance = betaTs * (1.0 - abarS) / (1.0 - abarT);
            var z = randn(xt.shape, generator: generator).to(xt.device);
            return coefX0 * x0 + coefXt * xt + Math.Sqrt(variance) * z;
        });
    }
}
