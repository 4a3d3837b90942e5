using static TorchSharp.torch;

namespace CdmNotebooks.Composition.Analytic;

/// <summary>A shard whose data distribution is the isotropic Gaussian N(mean, variance I), so its exact denoiser and density are known in closed form.</summary>
/// <param name="Mean">Mean image, flattened in [C,H,W] order.</param>
/// <param name="Variance">Per-pixel data variance (> 0).</param>
/// <param name="Shape">Image shape [C,H,W].</param>
public sealed record GaussianShard(float[] Mean, double Variance, long[] Shape)
{
    /// <summary>Mean as a [1,C,H,W] tensor on <paramref name="device"/> (caller owns it).</summary>
    public Tensor MeanTensor(Device device) => tensor(Mean, device: device).reshape([1, .. Shape]);

    /// <summary>Draws <paramref name="count"/> data samples [count,C,H,W] from the shard's distribution.</summary>
    public Tensor Sample(int count, Generator generator)
    {
        using var scope = NewDisposeScope();
        var noise = randn([count, .. Shape], generator: generator);
        return (MeanTensor(CPU) + Math.Sqrt(Variance) * noise).MoveToOuterDisposeScope();
    }

    /// <summary>log N(x; a mean, (a^2 variance + 1 - alphabar) I) per sample [B] (float64): the exact log-density of the shard noised to level alphabar = a^2.</summary>
    public Tensor LogMarginal(Tensor x, Tensor sqrtAlphabar)
    {
        using var scope = NewDisposeScope();
        var batch = x.shape[0];
        var flat = x.reshape(batch, -1).to(ScalarType.Float64);
        var a = sqrtAlphabar.reshape(batch, 1).to(ScalarType.Float64);
        var variance = a.square() * Variance + (1 - a.square());
        var mean = tensor(Mean, ScalarType.Float64, x.device).unsqueeze(0) * a;
        var dims = flat.shape[1];
        var log = -0.5 * ((flat - mean).square().sum(1, keepdim: true) / variance + dims * (variance * 2 * Math.PI).log());
        return log.squeeze(1).MoveToOuterDisposeScope();
    }
}
