using static TorchSharp.torch;

namespace CdmNotebooks.Diffusion;

/// <summary>Adapts a trained <see cref="UNet"/> (eps-, x0- or v-prediction) to the <see cref="IDenoiser"/> contract through <see cref="PredictionConverter"/>.</summary>
public sealed class UNetDenoiser : IDenoiser
{
    private readonly PredictionConverter _converter;

    /// <summary>Wraps <paramref name="network"/> trained on <paramref name="schedule"/>; the network is switched to evaluation mode.</summary>
    public UNetDenoiser(UNet network, NoiseSchedule schedule)
    {
        Network = network ?? throw new ArgumentNullException(nameof(network));
        Schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
        _converter = new PredictionConverter(schedule);
        Network.eval();
    }

    /// <summary>The wrapped network.</summary>
    public UNet Network { get; }

    /// <inheritdoc />
    public NoiseSchedule Schedule { get; }

    /// <inheritdoc />
    public Tensor PredictX0(Tensor x, Tensor t, Conditioning conditioning)
    {
        ArgumentNullException.ThrowIfNull(conditioning);
        using var scope = NewDisposeScope();
        var output = Network.Forward(x, t, conditioning.ClassLabels, conditioning.Embedding);
        return _converter.ToX0(Network.Config.Prediction, x, t, output).MoveToOuterDisposeScope();
    }
}
