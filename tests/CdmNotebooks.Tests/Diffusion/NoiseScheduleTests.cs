using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.Diffusion;

public sealed class NoiseScheduleTests
{
    [Fact]
    public void LinearBetasAreEvenlySpacedFromStartToEnd()
    {
        var s = NoiseSchedule.Linear(1000, 1e-4, 0.02);
        Assert.Equal(1e-4, s.Betas[0], 15);
        Assert.Equal(0.02, s.Betas[999], 15);
        Assert.Equal(1e-4 + (0.02 - 1e-4) * 500 / 999.0, s.Betas[500], 15);
    }

    [Fact]
    public void CumulativeProductMatchesClosedFormOfLinearSchedule()
    {
        var s = NoiseSchedule.Linear(1000);
        var logSum = 0.0;
        for (var i = 0; i <= 700; i++)
        {
            logSum += Math.Log(1 - s.Betas[i]);
        }

        Assert.Equal(Math.Exp(logSum), s.AlphasCumprod[700], 12);
        // Known value for the DDPM linear schedule: alphabar_{T-1} ~ 4.04e-5.
        Assert.InRange(s.AlphasCumprod[999], 4.0e-5, 4.1e-5);
    }

    [Fact]
    public void CosineAlphasCumprodMatchesCosineRatio()
    {
        const double offset = 0.008;
        var s = NoiseSchedule.Cosine(1000, offset);
        double F(double t) => Math.Pow(Math.Cos((t / 1000 + offset) / (1 + offset) * Math.PI / 2), 2);
        foreach (var t in new[] { 0, 10, 250, 500, 900 })
        {
            Assert.Equal(F(t + 1) / F(0), s.AlphasCumprod[t], 10);
        }
    }

    [Fact]
    public void DerivedConstantsSatisfyTheirDefinitions()
    {
        var s = NoiseSchedule.Cosine(200);
        for (var t = 0; t < s.Steps; t += 17)
        {
            var abar = s.AlphasCumprod[t];
            var abarPrev = t == 0 ? 1.0 : s.AlphasCumprod[t - 1];
            Assert.Equal(1.0, s.SqrtAlphasCumprod[t] * s.SqrtAlphasCumprod[t] + s.SqrtOneMinusAlphasCumprod[t] * s.SqrtOneMinusAlphasCumprod[t], 12);
            Assert.Equal(1.0 / abar - 1.0, s.SqrtRecipm1AlphasCumprod[t] * s.SqrtRecipm1AlphasCumprod[t], 9);
            Assert.Equal(s.Betas[t] * (1 - abarPrev) / (1 - abar), s.PosteriorVariance[t], 14);
            // The posterior mean coefficients reproduce x_{t-1} = x0 when x_t is the noiseless sqrt(abar) x0 path value.
            Assert.Equal(Math.Sqrt(abarPrev), s.PosteriorMeanCoef1[t] + s.PosteriorMeanCoef2[t] * Math.Sqrt(abar), 12);
        }

        Assert.Equal(0.0, s.PosteriorVariance[0], 15);
    }

    [Fact]
    public void GatherBroadcastsPerSampleConstantsToImageRank()
    {
        var s = NoiseSchedule.Linear(100);
        using var t = tensor(new long[] { 0, 99, 42 });
        using var g = s.Gather(s.SqrtAlphasCumprod, t, new long[] { 3, 1, 28, 28 });
        Assert.Equal(new long[] { 3, 1, 1, 1 }, g.shape);
        Assert.Equal((float)s.SqrtAlphasCumprod[42], g[2, 0, 0, 0].item<float>(), 6);
    }

    [Fact]
    public void ConverterRoundTripsBetweenEpsX0AndV()
    {
        var s = NoiseSchedule.Cosine(100);
        var c = new PredictionConverter(s);
        using var scope = NewDisposeScope();
        var gen = new Generator(1);
        var x0 = randn(new long[] { 4, 1, 5, 5 }, generator: gen);
        var eps = randn(new long[] { 4, 1, 5, 5 }, generator: gen);
        var t = tensor(new long[] { 0, 10, 50, 90 });
        var xt = c.AddNoise(x0, t, eps);
        Assert.True(c.X0FromEps(xt, t, eps).allclose(x0, rtol: 1e-4, atol: 1e-3));
        Assert.True(c.EpsFromX0(xt, t, x0).allclose(eps, rtol: 1e-4, atol: 1e-3));
        Assert.True(c.X0FromV(xt, t, c.VFromX0AndEps(x0, t, eps)).allclose(x0, rtol: 1e-4, atol: 1e-4));
    }

    [Fact]
    public void UnknownKindIsRejectedWithItsName()
    {
        var e = Assert.Throws<ArgumentException>(() => new TrainingConfig { ScheduleKind = "sigmoid" }.Validate());
        Assert.Contains("sigmoid", e.Message);
    }
}
