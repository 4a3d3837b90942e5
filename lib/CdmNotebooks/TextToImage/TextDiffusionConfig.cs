using CdmNotebooks.Diffusion;

namespace CdmNotebooks.TextToImage;

/// <summary>Immutable configuration of a text-conditioned diffusion model trained end to end (UNet + text encoder): architecture, schedule, optimizer, caption dropout for guidance, seed.</summary>
public sealed record TextDiffusionConfig
{
    /// <summary>The text encoder; its OutputDim must equal <see cref="Model"/>.EmbeddingDim.</summary>
    public TextEncoderConfig Encoder { get; init; } = new();

    /// <summary>The UNet (no class conditioning; EmbeddingDim = encoder output).</summary>
    public UNetConfig Model { get; init; } = new() { ClassCount = 0, EmbeddingDim = 128 };

    /// <summary>"linear" or "cosine".</summary>
    public string ScheduleKind { get; init; } = "linear";

    /// <summary>Diffusion steps T.</summary>
    public int ScheduleSteps { get; init; } = 1000;

    /// <summary>Images per step.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Optimizer steps.</summary>
    public int TrainSteps { get; init; } = 1000;

    /// <summary>AdamW learning rate.</summary>
    public double LearningRate { get; init; } = 2e-4;

    /// <summary>Probability of replacing a caption by the null caption (classifier-free guidance training).</summary>
    public double CaptionDropout { get; init; } = 0.1;

    /// <summary>Seed of initialization and batch draws.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>The schedule this configuration trains with.</summary>
    public NoiseSchedule CreateSchedule() => new TrainingConfig { ScheduleKind = ScheduleKind, ScheduleSteps = ScheduleSteps }.CreateSchedule();

    /// <summary>Checks every field and throws naming the bad one.</summary>
    public void Validate()
    {
        Encoder.Validate();
        Model.Validate();
        _ = CreateSchedule();
        if (Model.EmbeddingDim != Encoder.OutputDim || Model.ClassCount != 0)
        {
            throw new ArgumentException($"TextDiffusionConfig: Model.EmbeddingDim ({Model.EmbeddingDim}) must equal Encoder.OutputDim ({Encoder.OutputDim}) and Model.ClassCount must be 0.");
        }

        if (BatchSize < 1 || TrainSteps < 1 || !(LearningRate > 0) || CaptionDropout is < 0 or > 1)
        {
            throw new ArgumentException("TextDiffusionConfig: BatchSize and TrainSteps must be >= 1, LearningRate > 0, CaptionDropout in [0, 1].");
        }
    }
}
