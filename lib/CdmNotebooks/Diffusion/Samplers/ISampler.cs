using static TorchSharp.torch;

namespace CdmNotebooks.Diffusion;

/// <summary>A sampler written only against <see cref="IDenoiser"/>, so a single model and a composition sample with the same code.</summary>
public interface ISampler
{
    /// <summary>Short name used on the command line ("ddpm", "ddim", "dpm++2m").</summary>
    string Name { get; }

    /// <summary>Draws samples of <paramref name="shape"/> [B,C,H,W] from <paramref name="denoiser"/>; noise comes only from the CPU <paramref name="generator"/>.</summary>
    Tensor Sample(IDenoiser denoiser, long[] shape, Conditioning conditioning, Generator generator, SamplingOptions options, CancellationToken cancellationToken = default);
}
