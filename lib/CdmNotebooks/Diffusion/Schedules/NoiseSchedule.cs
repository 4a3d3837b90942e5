using TorchSharp;
using static TorchSharp.torch;

namespace CdmNotebooks.Diffusion;

/// <summary>Discrete variance-preserving (DDPM) schedule; constants computed once in float64, named after their formulas.</summary>
public sealed class NoiseSchedule
{
    private NoiseSchedule(string kind, double[] betas)
    {
        Kind = kind;
        Steps = betas.Length;
        Betas = betas;
        Alphas = betas.Select(b => 1.0 - b).ToArray();
        AlphasCumprod = new double[Steps];
        var product = 1.0;
        for (var i = 0; i < Steps; i++)
        {
            product *= Alphas[i];
            AlphasCumprod[i] = product;
        }

        AlphasCumprodPrev = new double[Steps];
        for (var i = 0; i < Steps; i++)
        {
            AlphasCumprodPrev[i] = i == 0 ? 1.0 : AlphasCumprod[i - 1];
        }

        SqrtAlphasCumprod = AlphasCumprod.Select(Math.Sqrt).ToArray();
        SqrtOneMinusAlphasCumprod = AlphasCumprod.Select(a => Math.Sqrt(1.0 - a)).ToArray();
        SqrtRecipAlphasCumprod = AlphasCumprod.Select(a => Math.Sqrt(1.0 / a)).ToArray();
        SqrtRecipm1AlphasCumprod = AlphasCumprod.Select(a => Math.Sqrt(1.0 / a - 1.0)).ToArray();
        PosteriorVariance = new double[Steps];
        PosteriorMeanCoef1 = new double[Steps];
        PosteriorMeanCoef2 = new double[Steps];
        for (var i = 0; i < Steps; i++)
        {
            // q(x_{t-1} | x_t, x_0), Ho et al. 2020 eq. 6-7.
            PosteriorVariance[i] = Betas[i] * (1.0 - AlphasCumprodPrev[i]) / (1.0 - AlphasCumprod[i]);
            PosteriorMeanCoef1[i] = Betas[i] * Math.Sqrt(AlphasCumprodPrev[i]) / (1.0 - AlphasCumprod[i]);
            PosteriorMeanCoef2[i] = (1.0 - AlphasCumprodPrev[i]) * Math.Sqrt(Alphas[i]) / (1.0 - AlphasCumprod[i]);
        }

        // The posterior variance is 0 at t = 0; clip the log to the t = 1 value so it stays finite.
        PosteriorLogVarianceClipped = PosteriorVariance
            .Select((v, i) => Math.Log(i == 0 && Steps > 1 ? PosteriorVariance[1] : Math.Max(v, 1e-20)))
            .ToArray();
    }

    /// <summary>Number of discrete diffusion steps T; timesteps are 0..T-1.</summary>
    public int Steps { get; }

    /// <summary>"linear" or "cosine" (stored in configurations).</summary>
    public string Kind { get; }

    /// <summary>beta_t.</summary>
    public double[] Betas { get; }

    /// <summary>alpha_t = 1 - beta_t.</summary>
    public double[] Alphas { get; }

    /// <summary>alphabar_t = prod_{s&lt;=t} alpha_s.</summary>
    public double[] AlphasCumprod { get; }

    /// <summary>alphabar_{t-1}, with alphabar_{-1} = 1.</summary>
    public double[] AlphasCumprodPrev { get; }

    /// <summary>sqrt(alphabar_t).</summary>
    public double[] SqrtAlphasCumprod { get; }

    /// <summary>sqrt(1 - alphabar_t).</summary>
    public double[] SqrtOneMinusAlphasCumprod { get; }

    /// <summary>sqrt(1 / alphabar_t).</summary>
    public double[] SqrtRecipAlphasCumprod { get; }

    /// <summary>sqrt(1 / alphabar_t - 1).</summary>
    public double[] SqrtRecipm1AlphasCumprod { get; }

    /// <summary>beta_t (1 - alphabar_{t-1}) / (1 - alphabar_t): variance of q(x_{t-1} | x_t, x_0).</summary>
    public double[] PosteriorVariance { get; }

    /// <summary>log of the posterior variance with the t = 0 entry replaced by the t = 1 entry.</summary>
    public double[] PosteriorLogVarianceClipped { get; }

    /// <summary>beta_t sqrt(alphabar_{t-1}) / (1 - alphabar_t): coefficient of x_0 in the posterior mean.</summary>
    public double[] PosteriorMeanCoef1 { get; }

    /// <summary>(1 - alphabar_{t-1}) sqrt(alpha_t) / (1 - alphabar_t): coefficient of x_t in the posterior mean.</summary>
    public double[] PosteriorMeanCoef2 { get; }

    /// <summary>Linear betas from <paramref name="betaStart"/> to <paramref name="betaEnd"/> (Ho et al. 2020).</summary>
    public static NoiseSchedule Linear(int steps = 1000, double betaStart = 1e-4, double betaEnd = 0.02)
    {
        if (steps < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(steps), steps, "A noise schedule needs at least 2 steps.");
        }

        if (!(betaStart > 0 && betaEnd < 1 && betaStart <= betaEnd))
        {
            throw new ArgumentOutOfRangeException(nameof(betaStart), $"Linear schedule needs 0 < betaStart <= betaEnd < 1; got {betaStart}, {betaEnd}.");
        }

        var betas = Enumerable.Range(0, steps).Select(i => betaStart + (betaEnd - betaStart) * i / (steps - 1)).ToArray();
        return new NoiseSchedule("linear", betas);
    }

    /// <summary>Cosine schedule alphabar(t) = f(t)/f(0), f(t) = cos^2(((t/T + s)/(1 + s)) pi/2), betas clipped at 0.999 (Nichol and Dhariwal 2021).</summary>
    public static NoiseSchedule Cosine(int steps = 1000, double s = 0.008)
    {
        if (steps < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(steps), steps, "A noise schedule needs at least 2 steps.");
        }

        if (!(s >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(s), s, "Cosine schedule offset s must be >= 0.");
        }

        double F(double t) => Math.Pow(Math.Cos((t / steps + s) / (1 + s) * Math.PI / 2), 2);
        var betas = Enumerable.Range(0, steps).Select(i => Math.Min(1 - F(i + 1) / F(i), 0.999)).ToArray();
        return new NoiseSchedule("cosine", betas);
    }

    /// <summary>Gathers constants[t] per sample as float32 on t's device, shaped [B,1,...,1] to broadcast against a tensor of shape <paramref name="shapeLike"/>.</summary>
    public Tensor Gather(double[] constants, Tensor t, long[] shapeLike)
    {
        ArgumentNullException.ThrowIfNull(constants);
        ArgumentNullException.ThrowIfNull(t);
        if (constants.Length != Steps)
        {
            throw new ArgumentException($"Expected {Steps} constants (one per timestep); got {constants.Length}.", nameof(constants));
        }

        using var scope = NewDisposeScope();
        var table = tensor(constants, ScalarType.Float64, t.device);
        var values = table.index_select(0, t.to(ScalarType.Int64).flatten()).to(ScalarType.Float32);
        var shape = new long[shapeLike.Length];
        Array.Fill(shape, 1L);
        shape[0] = values.shape[0];
        return values.reshape(shape).MoveToOuterDisposeScope();
    }
}
