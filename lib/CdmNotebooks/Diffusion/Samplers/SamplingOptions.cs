using static TorchSharp.torch;

namespace CdmNotebooks.Diffusion;

/// <summary>Options shared by every sampler: number of steps, classifier-free guidance scale, per-step callback and device.</summary>
public sealed record SamplingOptions
{
    /// <summary>Number of denoiser evaluations along the trajectory (timesteps spaced evenly over the schedule).</summary>
    public int Steps { get; init; } = 50;

    /// <summary>Classifier-free guidance scale w: x0 = x0_null + w (x0_cond - x0_null); 1 = plain conditional.</summary>
    public double GuidanceScale { get; init; } = 1.0;

    /// <summary>Clamp x0_hat to [-1, 1] before each update (for image data scaled to that range; off for unbounded data).</summary>
    public bool ClipX0 { get; init; }

    /// <summary>Called after each step with x_t, t and x0_hat (tensors are disposed after the call returns).</summary>
    public Action<SamplerStep>? OnStep { get; init; }

    /// <summary>Device to sample on; null = <see cref="Runtime.TorchDevice.Default"/>. Noise is always drawn on the CPU generator, so results match across devices up to arithmetic.</summary>
    public Device? Device { get; init; }
}
