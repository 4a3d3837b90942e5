using static TorchSharp.torch;

namespace CdmNotebooks.Diffusion;

/// <summary>Classifier-free guidance as a denoiser: x0 = x0_null + w (x0_cond - x0_null), both halves evaluated in one batched call.</summary>
/// <remarks>Guidance in x0 space equals guidance in eps space because at fixed (x_t, t) the two are related affinely.</remarks>
public sealed class GuidedDenoiser : IDenoiser, ISamplingPathObserver
{
    private readonly IDenoiser _inner;

    /// <summary>Wraps <paramref name="inner"/> with guidance scale <paramref name="scale"/> (1 = no guidance, 0 = unconditional).</summary>
    public GuidedDenoiser(IDenoiser inner, double scale)
    {
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        if (!double.IsFinite(scale))
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "Guidance scale must be finite.");
        }

        Scale = scale;
    }

    /// <summary>The guidance scale w.</summary>
    public double Scale { get; }

    /// <inheritdoc />
    public NoiseSchedule Schedule => _inner.Schedule;

    /// <summary>Forwards to the inner denoiser with twice the batch, because each call evaluates conditional and null halves together.</summary>
    public void BeginSampling(int batch)
    {
        if (_inner is ISamplingPathObserver observer)
        {
            observer.BeginSampling(2 * batch);
        }
    }

    /// <inheritdoc />
    public Tensor PredictX0(Tensor x, Tensor t, Conditioning conditioning)
    {
        using var scope = NewDisposeScope();
        var batch = x.shape[0];
        var both = _inner.PredictX0(cat([x, x], 0), cat([t, t], 0), Conditioning.Concat(conditioning, conditioning.Null()));
        var conditional = both.narrow(0, 0, batch);
        var unconditional = both.narrow(0, batch, batch);
        return (unconditional + Scale * (conditional - unconditional)).MoveToOuterDisposeScope();
    }
}
