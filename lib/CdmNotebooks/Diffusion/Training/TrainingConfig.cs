using System.Text.Json.Serialization;

namespace CdmNotebooks.Diffusion;

/// <summary>Which of a model's parameters a training updates.</summary>
public enum TrainedParameters
{
    /// <summary>Every parameter (training from scratch or fine-tuning).</summary>
    All,

    /// <summary>Only the prompt context (<see cref="UNet.PromptParameter"/>); every other weight stays the base's.</summary>
    Prompt,
}

/// <summary>Immutable configuration of one training run (architecture, schedule, optimizer, EMA, guidance dropout, seed); stored in every checkpoint.</summary>
public sealed record TrainingConfig
{
    /// <summary>Profile name the configuration came from ("smoke", "standard", "paper" or "custom").</summary>
    public string Profile { get; init; } = "custom";

    /// <summary>The network architecture.</summary>
    public UNetConfig Model { get; init; } = new();

    /// <summary>Noise schedule kind: "linear" or "cosine".</summary>
    public string ScheduleKind { get; init; } = "linear";

    /// <summary>Number of diffusion steps T.</summary>
    public int ScheduleSteps { get; init; } = 1000;

    /// <summary>Images per optimizer step.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Total optimizer steps.</summary>
    public int TrainSteps { get; init; } = 1000;

    /// <summary>Peak AdamW learning rate (reached after warm-up; then constant or decaying, see <see cref="LearningRateDecay"/>).</summary>
    public double LearningRate { get; init; } = 2e-4;

    /// <summary>What the learning rate does after warm-up: "constant", or "cosine" (half a cosine from the peak down to 0 at the last step).</summary>
    public string LearningRateDecay { get; init; } = "constant";

    /// <summary>Min-SNR-gamma loss weighting (Hang et al. 2023): each timestep's loss is weighted so its x0-error weight is min(SNR, gamma); 0 = plain MSE on the prediction target.</summary>
    public double MinSnrGamma { get; init; }

    /// <summary>The model this one is fine-tuned from (its EMA weights are the starting weights); null = trained from scratch.</summary>
    public BaseLineage? Base { get; init; }

    /// <summary>Which parameters train: all of them, or only the prompt context (prompt tuning: the base's weights stay frozen and bit-identical; needs <see cref="Base"/> and <see cref="UNetConfig.PromptTokens"/> &gt; 0).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    [JsonConverter(typeof(JsonStringEnumConverter<TrainedParameters>))]
    public TrainedParameters Trains { get; init; }

    /// <summary>Steps of linear learning-rate warm-up from 0.</summary>
    public int WarmupSteps { get; init; } = 100;

    /// <summary>AdamW decoupled weight decay.</summary>
    public double WeightDecay { get; init; } = 1e-4;

    /// <summary>EMA decay; the effective decay is min(EmaDecay, (1 + step) / (10 + step)) so short runs still average sensibly.</summary>
    public double EmaDecay { get; init; } = 0.999;

    /// <summary>Global L2 norm at which gradients are clipped.</summary>
    public double GradClipNorm { get; init; } = 1.0;

    /// <summary>Probability of replacing a label by the null class, or a caption by the null caption (classifier-free guidance training).</summary>
    public double ClassDropout { get; init; } = 0.1;

    /// <summary>Seed of initialization and of every per-step random draw.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Write a checkpoint every this many steps (and at the end or on cancellation).</summary>
    public int CheckpointEvery { get; init; } = 500;

    /// <summary>The schedule this configuration trains with.</summary>
    public NoiseSchedule CreateSchedule() => ScheduleKind switch
    {
        "linear" => NoiseSchedule.Linear(ScheduleSteps),
        "cosine" => NoiseSchedule.Cosine(ScheduleSteps),
        _ => throw new ArgumentException($"TrainingConfig.ScheduleKind '{ScheduleKind}' is unknown; expected 'linear' or 'cosine'."),
    };

    /// <summary>The learning rate of optimizer step <paramref name="step"/> (0-based): linear warm-up to the peak, then constant or cosine decay to 0.</summary>
    public double LearningRateAt(int step)
    {
        var warm = Math.Min(1.0, (step + 1.0) / Math.Max(1, WarmupSteps));
        if (LearningRateDecay == "constant" || step < WarmupSteps)
        {
            return LearningRate * warm;
        }

        var progress = Math.Clamp((step + 1.0 - WarmupSteps) / Math.Max(1, TrainSteps - WarmupSteps), 0, 1);
        return LearningRate * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }

    /// <summary>Checks every field and throws a specific error naming the bad one.</summary>
    public void Validate()
    {
        Model.Validate();
        _ = CreateSchedule();
        if (BatchSize < 1 || TrainSteps < 1 || WarmupSteps < 0 || CheckpointEvery < 1)
        {
            throw new ArgumentException("TrainingConfig: BatchSize, TrainSteps and CheckpointEvery must be >= 1 and WarmupSteps >= 0.");
        }

        if (LearningRateDecay is not ("constant" or "cosine"))
        {
            throw new ArgumentException($"TrainingConfig.LearningRateDecay '{LearningRateDecay}' is unknown; expected 'constant' or 'cosine'.");
        }

        if (Trains == TrainedParameters.Prompt && (Base is null || Model.PromptTokens < 1))
        {
            throw new ArgumentException(
                $"TrainingConfig: prompt tuning (Trains = Prompt) needs a base to tune on (Base is {(Base is null ? "null" : "set")}) and Model.PromptTokens >= 1 (is {Model.PromptTokens}).");
        }

        if (!(MinSnrGamma >= 0) || double.IsInfinity(MinSnrGamma))
        {
            throw new ArgumentException($"TrainingConfig.MinSnrGamma must be a finite number >= 0 (0 = off); got {MinSnrGamma}.");
        }

        if (!(LearningRate > 0) || WeightDecay < 0 || !(EmaDecay >= 0 && EmaDecay < 1) || !(GradClipNorm > 0) || !(ClassDropout >= 0 && ClassDropout <= 1))
        {
            throw new ArgumentException("TrainingConfig: LearningRate and GradClipNorm must be > 0, WeightDecay >= 0, EmaDecay in [0,1), ClassDropout in [0,1].");
        }
    }
}
