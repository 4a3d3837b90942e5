using CdmNotebooks.Runtime;
using static TorchSharp.torch;

namespace CdmNotebooks.Diffusion;

/// <summary>What every sampler shares: argument checks, the timestep grid, guidance wrapping, initial noise and the step loop.</summary>
internal static class SamplerCore
{
    /// <summary>A step update: given x_t, the current and next timestep (-1 = clean data) and x0_hat, returns x_next.</summary>
    public delegate Tensor StepRule(int index, Tensor xt, long t, long next, Tensor x0Hat);

    /// <summary>N timesteps evenly spaced from T-1 down to 0 (distinct for N &lt;= T).</summary>
    public static long[] Timesteps(int schedulerSteps, int count)
    {
        if (count < 1 || count > schedulerSteps)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"Sampling steps must be between 1 and the schedule's {schedulerSteps} steps.");
        }

        if (count == 1)
        {
            return [schedulerSteps - 1];
        }

        return Enumerable.Range(0, count)
            .Select(i => (long)Math.Round((schedulerSteps - 1) * (1.0 - i / (double)(count - 1))))
            .ToArray();
    }

    /// <summary>alphabar at timestep t, with alphabar(-1) = 1 (clean data).</summary>
    public static double AlphaBar(NoiseSchedule schedule, long t) => t < 0 ? 1.0 : schedule.AlphasCumprod[t];

    public static Tensor Run(
        IDenoiser denoiser, long[] shape, Conditioning conditioning, Generator generator, SamplingOptions options,
        CancellationToken cancellationToken, StepRule step)
    {
        ArgumentNullException.ThrowIfNull(denoiser);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(conditioning);
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(options);
        if (shape.Length < 2 || shape.Any(d => d < 1))
        {
            throw new ArgumentException($"Sample shape must be [B,C,...] with positive sizes; got [{string.Join(",", shape)}].", nameof(shape));
        }

        var model = options.GuidanceScale == 1.0 || conditioning.IsNone ? denoiser : new GuidedDenoiser(denoiser, options.GuidanceScale);
        var timesteps = Timesteps(denoiser.Schedule.Steps, options.Steps);
        var device = options.Device ?? TorchDevice.Default;
        (model as ISamplingPathObserver)?.BeginSampling((int)shape[0]);

        using var outer = NewDisposeScope();
        using var noGrad = no_grad();
        var x = randn(shape, generator: generator).to(device);
        for (var i = 0; i < timesteps.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var t = timesteps[i];
            var next = i + 1 < timesteps.Length ? timesteps[i + 1] : -1;
            Tensor xNext;
            using (var scope = NewDisposeScope())
            {
                var tBatch = full(shape[0], t, ScalarType.Int64, device);
                var x0Hat = model.PredictX0(x, tBatch, conditioning);
                if (options.ClipX0)
                {
                    x0Hat = x0Hat.clamp(-1.0, 1.0);
                }

                xNext = step(i, x, t, next, x0Hat).MoveToOuterDisposeScope();
                options.OnStep?.Invoke(new SamplerStep(i, timesteps.Length, t, x, x0Hat));
            }

            x.Dispose();
            x = xNext;
        }

        return x.MoveToOuterDisposeScope();
    }
}
