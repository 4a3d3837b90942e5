using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.TextToImage;

/// <summary>A text-conditioned diffusion model: UNet + text encoder + schedule, with the noise-prediction loss shared by full training and prompt tuning.</summary>
public sealed class TextDiffusionModel : IDisposable
{
    /// <summary>Builds fresh networks from <paramref name="config"/> (initialized from its seed).</summary>
    public TextDiffusionModel(TextDiffusionConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        Schedule = config.CreateSchedule();
        Converter = new PredictionConverter(Schedule);
        manual_seed(config.Seed);
        Unet = new UNet(config.Model);
        Encoder = new TextEncoder(config.Encoder);
    }

    /// <summary>The configuration.</summary>
    public TextDiffusionConfig Config { get; }

    /// <summary>The noise schedule.</summary>
    public NoiseSchedule Schedule { get; }

    /// <summary>Converter between network outputs and x0.</summary>
    public PredictionConverter Converter { get; }

    /// <summary>The image network.</summary>
    public UNet Unet { get; }

    /// <summary>The caption encoder.</summary>
    public TextEncoder Encoder { get; }

    /// <summary>Every trainable parameter of the UNet and the encoder.</summary>
    public IEnumerable<TorchSharp.Modules.Parameter> Parameters() => Unet.parameters().Concat(Encoder.parameters());

    /// <summary>A denoiser over this model with an optional prompt context [K, Width].</summary>
    public TextConditionedDenoiser Denoiser(Tensor? context = null) => new(this, context);

    /// <summary>Raw network output for noisy <paramref name="x"/> at <paramref name="t"/> under text <paramref name="conditioning"/> (see <see cref="TextConditioning"/>).</summary>
    public Tensor Output(Tensor x, Tensor t, Conditioning conditioning, Tensor? context = null)
    {
        using var scope = NewDisposeScope();
        var (tokens, isNull) = TextConditioning.Decode(conditioning);
        var embedding = Encoder.Forward(tokens.to(x.device), context);
        embedding = where(isNull.to(x.device).unsqueeze(1), zeros_like(embedding), embedding);
        return Unet.Forward(x, t, null, embedding).MoveToOuterDisposeScope();
    }

    /// <summary>Mean-squared noise-prediction loss of one batch: images [B,1,S,S], text conditioning of the same batch, timesteps and noise drawn from <paramref name="generator"/>; captions dropped to null with probability <paramref name="captionDropout"/>.</summary>
    public Tensor Loss(Tensor images, Conditioning conditioning, Generator generator, double captionDropout, Tensor? context = null)
    {
        using var scope = NewDisposeScope();
        var batch = images.shape[0];
        var t = randint(Schedule.Steps, [batch], generator: generator, dtype: ScalarType.Int64);
        var eps = randn(images.shape, generator: generator);
        var drop = rand([batch], generator: generator).lt(captionDropout).unsqueeze(1);
        var embedding = conditioning.Embedding ?? throw new ArgumentException("Text conditioning is missing its token IDs.", nameof(conditioning));
        var dropped = Conditioning.Embeddings(where(drop, zeros_like(embedding), embedding));
        var xt = Converter.AddNoise(images, t, eps);
        var output = Output(xt, t, dropped, context);
        return nn.functional.mse_loss(output, Converter.Target(Unet.Config.Prediction, images, t, eps)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Unet.Dispose();
        Encoder.Dispose();
    }
}
