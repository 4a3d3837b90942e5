using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.Diffusion;

public sealed class SamplerTests
{
    private const int SampleCount = 4000;

    public static TheoryData<string, int> SamplersAndSteps => new()
    {
        { "ddpm", 1000 },
        { "ddpm", 200 },
        { "ddim", 100 },
        { "dpm++2m", 25 },
    };

    [Theory]
    [MemberData(nameof(SamplersAndSteps))]
    public void ExactMixtureDenoiserReproducesTargetMeanAndCovariance(string samplerName, int steps)
    {
        var denoiser = GaussianMixtureDenoiser.TwoComponents(NoiseSchedule.Linear(1000));
        var (mean, cov) = denoiser.Moments();
        using var samples = SamplerFactory.Create(samplerName).Sample(
            denoiser, [SampleCount, 2, 1, 1], Conditioning.None, new Generator(7), new SamplingOptions { Steps = steps, Device = CPU });
        AssertMoments(samples, mean, cov);
    }

    [Fact]
    public void ClassLabelsSampleTheirComponentUnderCosineSchedule()
    {
        var denoiser = GaussianMixtureDenoiser.TwoComponents(NoiseSchedule.Cosine(1000));
        var (mean, cov) = denoiser.Moments(component: 0);
        using var labels = zeros(SampleCount, ScalarType.Int64);
        using var samples = new DdimSampler(eta: 0.5).Sample(
            denoiser, [SampleCount, 2, 1, 1], Conditioning.Classes(labels), new Generator(3), new SamplingOptions { Steps = 100, Device = CPU });
        AssertMoments(samples, mean, cov);
    }

    [Fact]
    public void DdimWithEtaZeroIsDeterministicGivenTheInitialNoise()
    {
        var denoiser = GaussianMixtureDenoiser.TwoComponents(NoiseSchedule.Linear(1000));
        var options = new SamplingOptions { Steps = 20, Device = CPU };
        using var a = new DdimSampler(0).Sample(denoiser, [64, 2, 1, 1], Conditioning.None, new Generator(11), options);
        using var b = new DdimSampler(0).Sample(denoiser, [64, 2, 1, 1], Conditioning.None, new Generator(11), options);
        using var c = new DdimSampler(0).Sample(denoiser, [64, 2, 1, 1], Conditioning.None, new Generator(12), options);
        Assert.True(a.eq(b).all().item<bool>());
        Assert.False(a.eq(c).all().item<bool>());

        // Observing the steps changes nothing.
        var calls = 0;
        using var d = new DdimSampler(0).Sample(
            denoiser, [64, 2, 1, 1], Conditioning.None, new Generator(11), options with { OnStep = _ => calls++ });
        Assert.True(a.eq(d).all().item<bool>());
        Assert.Equal(20, calls);
    }

    [Fact]
    public void GuidanceScaleZeroEqualsUnconditionalSampling()
    {
        var denoiser = GaussianMixtureDenoiser.TwoComponents(NoiseSchedule.Linear(1000));
        using var labels = ones(256, ScalarType.Int64);
        var options = new SamplingOptions { Steps = 15, Device = CPU };
        using var guided = new DdimSampler().Sample(
            denoiser, [256, 2, 1, 1], Conditioning.Classes(labels), new Generator(5), options with { GuidanceScale = 0.0 });
        using var unconditional = new DdimSampler().Sample(denoiser, [256, 2, 1, 1], Conditioning.None, new Generator(5), options);
        Assert.True(guided.allclose(unconditional, rtol: 1e-5, atol: 1e-5));

        // Guidance above 1 pushes samples further toward component 1 than plain conditioning does.
        using var plain = new DdimSampler().Sample(denoiser, [256, 2, 1, 1], Conditioning.Classes(labels), new Generator(5), options);
        using var strong = new DdimSampler().Sample(
            denoiser, [256, 2, 1, 1], Conditioning.Classes(labels), new Generator(5), options with { GuidanceScale = 3.0 });
        Assert.True(strong[.., 0].mean().item<float>() > plain[.., 0].mean().item<float>());
    }

    [Fact]
    public void CallbackSeesEachStepAndCancellationStopsSampling()
    {
        var denoiser = GaussianMixtureDenoiser.TwoComponents(NoiseSchedule.Linear(1000));
        using var cts = new CancellationTokenSource();
        var seen = new List<long>();
        var options = new SamplingOptions
        {
            Steps = 10,
            Device = CPU,
            OnStep = step =>
            {
                seen.Add(step.Timestep);
                Assert.Equal(step.Xt.shape, step.X0Hat.shape);
                if (step.Index == 3)
                {
                    cts.Cancel();
                }
            },
        };
        Assert.Throws<OperationCanceledException>(() =>
            new DpmSolverPlusPlus2MSampler().Sample(denoiser, [8, 2, 1, 1], Conditioning.None, new Generator(1), options, cts.Token));
        Assert.Equal(new long[] { 999, 888, 777, 666 }, seen);
        Assert.Equal(4, denoiser.Calls);
    }

    private static void AssertMoments(Tensor samples, double[] mean, double[,] cov)
    {
        var xs = samples.to(ScalarType.Float64).reshape(-1, 2);
        var m = xs.mean([0]).data<double>().ToArray();
        var centered = xs - xs.mean([0], keepdim: true);
        var c = (centered.t().matmul(centered) / (xs.shape[0] - 1)).data<double>().ToArray();
        for (var i = 0; i < 2; i++)
        {
            Assert.True(Math.Abs(m[i] - mean[i]) < 0.08, $"mean[{i}] = {m[i]:F3}, expected {mean[i]:F3}");
            for (var j = 0; j < 2; j++)
            {
                var expected = cov[i, j];
                Assert.True(Math.Abs(c[2 * i + j] - expected) < 0.06 + 0.08 * Math.Abs(expected), $"cov[{i},{j}] = {c[2 * i + j]:F3}, expected {expected:F3}");
            }
        }
    }
}
