using static TorchSharp.torch;

namespace CdmNotebooks.Diffusion;

/// <summary>The one contract samplers use: predicts the clean image x0 from noisy x at integer timesteps t.</summary>
public interface IDenoiser
{
    /// <summary>The schedule that defines what noise level each timestep means.</summary>
    NoiseSchedule Schedule { get; }

    /// <summary>x: [B,C,H,W] noisy images; t: [B] int64 timesteps in [0, Schedule.Steps); returns x0_hat [B,C,H,W].</summary>
    Tensor PredictX0(Tensor x, Tensor t, Conditioning conditioning);
}
