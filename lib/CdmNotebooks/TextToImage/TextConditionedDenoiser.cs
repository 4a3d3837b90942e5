using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.TextToImage;

/// <summary>A text-conditioned shard as an <see cref="IDenoiser"/>: decodes caption tokens from the conditioning, encodes them with its text encoder (and its own prompt context, if prompt-tuned) and runs its UNet; null captions get the zero embedding.</summary>
public sealed class TextConditionedDenoiser : IDenoiser
{
    private readonly TextDiffusionModel _model;
    private readonly Tensor? _context;

    /// <summary>Wraps <paramref name="model"/> (not owned) with optional prompt <paramref name="context"/> [K, Width] (not owned).</summary>
    public TextConditionedDenoiser(TextDiffusionModel model, Tensor? context = null)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _context = context;
    }

    /// <inheritdoc />
    public NoiseSchedule Schedule => _model.Schedule;

    /// <inheritdoc />
    public Tensor PredictX0(Tensor x, Tensor t, Conditioning conditioning)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var output = _model.Output(x, t, conditioning, _context);
        return _model.Converter.ToX0(_model.Unet.Config.Prediction, x, t, output).MoveToOuterDisposeScope();
    }
}
