using static TorchSharp.torch;

namespace CdmNotebooks.Diffusion;

/// <summary>What a sampler exposes after each step: x_t it started from, the timestep and the predicted clean image (valid only during the callback).</summary>
public sealed record SamplerStep(int Index, int Count, long Timestep, Tensor Xt, Tensor X0Hat);
