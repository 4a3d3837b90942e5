namespace CdmNotebooks.Diffusion;

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

    /// <summary>Peak AdamW learning rate (reached after warm-up, then constant).</summary>
    public double LearningRate { get; init; } = 2e-4;

    /// <summary>Steps of linear learning-rate warm-up from 0.</summary>
    public int WarmupSteps { get; init; } = 100;

    /// <summary>AdamW decoupled weight decay.</summary>
    public double WeightDecay { get; init; } = 1e-4;

    /// <summary>EMA decay; the effective decay is min(EmaDecay, (1 + step) / (10 + step)) so short runs still average sensibly.</summary>
    public double EmaDecay { get; init; } = 0.999;

    /// <summary>Global L2 norm at which gradients are clipped.</summary>
    public double GradClipNorm { get; init; } = 1.0;

    /// <summary>Probability of replacing a label by the null class (classifier-free guidance training).</summary>
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

    /// <summary>Checks every field and throws a specific error naming the bad one.</summary>
    public void Validate()
    {
        Model.Validate();
        _ = CreateSchedule();
        if (BatchSize < 1 || TrainSteps < 1 || WarmupSteps < 0 || CheckpointEvery < 1)
        {
            throw new ArgumentException("TrainingConfig: BatchSize, TrainSteps and CheckpointEvery must be >= 1 and WarmupSteps >= 0.");
        }

        if (!(LearningRate > 0) || WeightDecay < 0 || !(EmaDecay >= 0 && EmaDecay < 1) || !(GradClipNorm > 0) || !(ClassDropout >= 0 && ClassDropout <= 1))
        {
            throw new ArgumentException("TrainingConfig: LearningRate and GradClipNorm must be > 0, WeightDecay >= 0, EmaDecay in [0,1), ClassDropout in [0,1].");
        }
    }
}
