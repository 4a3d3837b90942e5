using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.Diffusion;

/// <summary>Exact posterior-mean denoiser E[x0 | x_t] of a 2-D Gaussian mixture (data shaped [B,2,1,1]); class label k restricts to component k.</summary>
internal sealed class GaussianMixtureDenoiser : IDenoiser
{
    public GaussianMixtureDenoiser(NoiseSchedule schedule, double[] weights, double[][] means, double[][,] covariances)
    {
        Schedule = schedule;
        Weights = weights;
        Means = means;
        Covariances = covariances;
    }

    public NoiseSchedule Schedule { get; }

    public double[] Weights { get; }

    public double[][] Means { get; }

    public double[][,] Covariances { get; }

    public int Calls { get; private set; }

    public (double[] Mean, double[,] Covariance) Moments(int? component = null)
    {
        var ks = component is int c ? new[] { c } : Enumerable.Range(0, Weights.Length).ToArray();
        var total = ks.Sum(k => Weights[k]);
        var mean = new double[2];
        var second = new double[2, 2];
        foreach (var k in ks)
        {
            var w = Weights[k] / total;
            for (var i = 0; i < 2; i++)
            {
                mean[i] += w * Means[k][i];
                for (var j = 0; j < 2; j++)
                {
                    second[i, j] += w * (Covariances[k][i, j] + Means[k][i] * Means[k][j]);
                }
            }
        }

        var cov = new double[2, 2];
        for (var i = 0; i < 2; i++)
        {
            for (var j = 0; j < 2; j++)
            {
                cov[i, j] = second[i, j] - mean[i] * mean[j];
            }
        }

        return (mean, cov);
    }

    public Tensor PredictX0(Tensor x, Tensor t, Conditioning conditioning)
    {
        Calls++;
        var batch = (int)x.shape[0];
        var xs = x.detach().to(ScalarType.Float64).reshape(batch, 2).data<double>().ToArray();
        var ts = t.data<long>().ToArray();
        var labels = conditioning.ClassLabels?.data<long>().ToArray();
        var result = new double[batch * 2];
        for (var b = 0; b < batch; b++)
        {
            var a = Schedule.SqrtAlphasCumprod[ts[b]];
            var s2 = 1.0 - Schedule.AlphasCumprod[ts[b]];
            var label = labels is null ? -1 : labels[b];
            var logLik = new double[Weights.Length];
            var posteriorMeans = new double[Weights.Length][];
            for (var k = 0; k < Weights.Length; k++)
            {
                // x_t | k ~ N(a mu_k, a^2 Sigma_k + s^2 I).
                var c00 = a * a * Covariances[k][0, 0] + s2;
                var c01 = a * a * Covariances[k][0, 1];
                var c11 = a * a * Covariances[k][1, 1] + s2;
                var det = c00 * c11 - c01 * c01;
                var d0 = xs[2 * b] - a * Means[k][0];
                var d1 = xs[2 * b + 1] - a * Means[k][1];
                var w0 = (c11 * d0 - c01 * d1) / det;
                var w1 = (-c01 * d0 + c00 * d1) / det;
                logLik[k] = (label >= 0 && label != k) ? double.NegativeInfinity : Math.Log(Weights[k]) - 0.5 * Math.Log(det) - 0.5 * (d0 * w0 + d1 * w1);
                // E[x0 | x_t, k] = mu_k + a Sigma_k C^{-1} (x_t - a mu_k).
                posteriorMeans[k] =
                [
                    Means[k][0] + a * (Covariances[k][0, 0] * w0 + Covariances[k][0, 1] * w1),
                    Means[k][1] + a * (Covariances[k][1, 0] * w0 + Covariances[k][1, 1] * w1),
                ];
            }

            var max = logLik.Max();
            var r = logLik.Select(l => Math.Exp(l - max)).ToArray();
            var sum = r.Sum();
            for (var k = 0; k < Weights.Length; k++)
            {
                result[2 * b] += r[k] / sum * posteriorMeans[k][0];
                result[2 * b + 1] += r[k] / sum * posteriorMeans[k][1];
            }
        }

        return tensor(result, ScalarType.Float64).reshape(x.shape).to(x.dtype).to(x.device);
    }

    public static GaussianMixtureDenoiser TwoComponents(NoiseSchedule schedule) => new(
        schedule,
        [0.3, 0.7],
        [[-1.5, 0.0], [1.5, 0.5]],
        [new double[,] { { 0.3, 0.1 }, { 0.1, 0.2 } }, new double[,] { { 0.2, -0.05 }, { -0.05, 0.4 } }]);
}
