namespace CdmNotebooks.Diffusion;

/// <summary>Named size presets: "smoke" (seconds, for tests), "standard" (chosen by measured quality per CPU-minute), "paper" (larger, documented).</summary>
public static class ModelProfiles
{
    /// <summary>The accepted profile names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["smoke", "standard", "paper"];

    /// <summary>The training configuration of profile <paramref name="name"/>, optionally with a different class count and seed.</summary>
    public static TrainingConfig Get(string name, int classCount = 10, long seed = 1) => name switch
    {
        "smoke" => new TrainingConfig
        {
            Profile = "smoke",
            Model = new UNetConfig
            {
                BaseChannels = 8, ChannelMultipliers = [1, 2], ResBlocksPerLevel = 1, AttentionResolutions = [14], NormGroups = 4,
                ClassCount = classCount,
            },
            BatchSize = 8, TrainSteps = 20, WarmupSteps = 5, LearningRate = 1e-3, CheckpointEvery = 10, Seed = seed,
        },
        "standard" => new TrainingConfig
        {
            Profile = "standard",
            Model = new UNetConfig
            {
                BaseChannels = 32, ChannelMultipliers = [1, 2, 2], ResBlocksPerLevel = 1, AttentionResolutions = [7], NormGroups = 8,
                ClassCount = classCount,
            },
            BatchSize = 128, TrainSteps = 4000, WarmupSteps = 200, LearningRate = 1e-3, EmaDecay = 0.999, CheckpointEvery = 250, Seed = seed,
        },
        "paper" => new TrainingConfig
        {
            Profile = "paper",
            Model = new UNetConfig
            {
                BaseChannels = 64, ChannelMultipliers = [1, 2, 2], ResBlocksPerLevel = 2, AttentionResolutions = [14, 7], AttentionHeads = 4,
                NormGroups = 32, ClassCount = classCount, Dropout = 0.1,
            },
            BatchSize = 128, TrainSteps = 100_000, WarmupSteps = 1000, LearningRate = 2e-4, EmaDecay = 0.9999, CheckpointEvery = 2000, Seed = seed,
        },
        _ => throw new ArgumentException($"Unknown profile '{name}'; expected one of: {string.Join(", ", Names)}.", nameof(name)),
    };
}
