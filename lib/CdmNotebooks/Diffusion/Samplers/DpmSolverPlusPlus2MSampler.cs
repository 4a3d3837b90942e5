using static TorchSharp.torch;

namespace CdmNotebooks.Diffusion;

/// <summary>DPM-Solver++(2M) (Lu et al. 2022, Algorithm 2): deterministic second-order multistep solver in data-prediction form.</summary>
public sealed class DpmSolverPlusPlus2MSampler : ISampler
{
    /// <inheritdoc />
    public string Name => "dpm++2m";

    /// <inheritdoc />
    public Tensor Sample(IDenoiser denoiser, long[] shape, Conditioning conditioning, Generator generator, SamplingOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(denoiser);
        var schedule = denoiser.Schedule;
        Tensor? previousX0 = null;
        var previousH = 0.0;
        try
        {
            return SamplerCore.Run(denoiser, shape, conditioning, generator, options, cancellationToken, (_, xt, t, s, x0) =>
            {
                Tensor result;
                if (s < 0)
                {
                    // lambda_s = +inf: the exact solution of the data-prediction ODE reaches x0_hat.
                    result = x0.alias();
                }
                else
                {
                    var abarT = SamplerCore.AlphaBar(schedule, t);
                    var abarS = SamplerCore.AlphaBar(schedule, s);
                    double Lambda(double abar) => 0.5 * Math.Log(abar / (1.0 - abar)); // log(alpha / sigma)
                    var h = Lambda(abarS) - Lambda(abarT);
                    var sigmaRatio = Math.Sqrt((1.0 - abarS) / (1.0 - abarT));
                    var alphaS = Math.Sqrt(abarS);
                    Tensor d;
                    if (previousX0 is null)
                    {
                        d = x0;
                    }
                    else
                    {
                        var r = previousH / h;
                        d = (1.0 + 1.0 / (2.0 * r)) * x0 - 1.0 / (2.0 * r) * previousX0;
                    }

                    // x_s = (sigma_s / sigma_t) x_t - alpha_s (e^{-h} - 1) D.
                    result = sigmaRatio * xt + alphaS * (1.0 - Math.Exp(-h)) * d;
                    previousH = h;
                }

                previousX0?.Dispose();
                previousX0 = x0.detach().clone().DetachFromDisposeScope();
                return result;
            });
        }
        finally
        {
            previousX0?.Dispose();
        }
    }
}
