using static TorchSharp.torch;

namespace CdmNotebooks.Diffusion;

/// <summary>The one place that converts between eps-, x0- and v-predictions at (x_t, t) for a schedule.</summary>
public sealed class PredictionConverter
{
    private readonly NoiseSchedule _schedule;

    /// <summary>Creates a converter for <paramref name="schedule"/>.</summary>
    public PredictionConverter(NoiseSchedule schedule) => _schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));

    /// <summary>x0 = (x_t - sqrt(1 - abar) eps) / sqrt(abar), written as sqrt(1/abar) x_t - sqrt(1/abar - 1) eps.</summary>
    public Tensor X0FromEps(Tensor xt, Tensor t, Tensor eps)
    {
        using var scope = NewDisposeScope();
        var a = _schedule.Gather(_schedule.SqrtRecipAlphasCumprod, t, xt.shape);
        var b = _schedule.Gather(_schedule.SqrtRecipm1AlphasCumprod, t, xt.shape);
        return (a * xt - b * eps).MoveToOuterDisposeScope();
    }

    /// <summary>eps = (sqrt(1/abar) x_t - x0) / sqrt(1/abar - 1).</summary>
    public Tensor EpsFromX0(Tensor xt, Tensor t, Tensor x0)
    {
        using var scope = NewDisposeScope();
        var a = _schedule.Gather(_schedule.SqrtRecipAlphasCumprod, t, xt.shape);
        var b = _schedule.Gather(_schedule.SqrtRecipm1AlphasCumprod, t, xt.shape);
        return ((a * xt - x0) / b).MoveToOuterDisposeScope();
    }

    /// <summary>x0 = sqrt(abar) x_t - sqrt(1 - abar) v.</summary>
    public Tensor X0FromV(Tensor xt, Tensor t, Tensor v)
    {
        using var scope = NewDisposeScope();
        var a = _schedule.Gather(_schedule.SqrtAlphasCumprod, t, xt.shape);
        var b = _schedule.Gather(_schedule.SqrtOneMinusAlphasCumprod, t, xt.shape);
        return (a * xt - b * v).MoveToOuterDisposeScope();
    }

    /// <summary>v = sqrt(abar) eps - sqrt(1 - abar) x0 (the training target of a v-prediction network).</summary>
    public Tensor VFromX0AndEps(Tensor x0, Tensor t, Tensor eps)
    {
        using var scope = NewDisposeScope();
        var a = _schedule.Gather(_schedule.SqrtAlphasCumprod, t, x0.shape);
        var b = _schedule.Gather(_schedule.SqrtOneMinusAlphasCumprod, t, x0.shape);
        return (a * eps - b * x0).MoveToOuterDisposeScope();
    }

    /// <summary>x_t = sqrt(abar) x0 + sqrt(1 - abar) eps: the forward process q(x_t | x0).</summary>
    public Tensor AddNoise(Tensor x0, Tensor t, Tensor eps)
    {
        using var scope = NewDisposeScope();
        var a = _schedule.Gather(_schedule.SqrtAlphasCumprod, t, x0.shape);
        var b = _schedule.Gather(_schedule.SqrtOneMinusAlphasCumprod, t, x0.shape);
        return (a * x0 + b * eps).MoveToOuterDisposeScope();
    }

    /// <summary>Converts a network output of kind <paramref name="kind"/> to x0.</summary>
    public Tensor ToX0(PredictionKind kind, Tensor xt, Tensor t, Tensor output) => kind switch
    {
        PredictionKind.Epsilon => X0FromEps(xt, t, output),
        PredictionKind.V => X0FromV(xt, t, output),
        PredictionKind.X0 => output.alias(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown prediction kind."),
    };

    /// <summary>The training target for a network of kind <paramref name="kind"/> given the clean image and the noise used.</summary>
    public Tensor Target(PredictionKind kind, Tensor x0, Tensor t, Tensor eps) => kind switch
    {
        PredictionKind.Epsilon => eps.alias(),
        PredictionKind.V => VFromX0AndEps(x0, t, eps),
        PredictionKind.X0 => x0.alias(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown prediction kind."),
    };
}
