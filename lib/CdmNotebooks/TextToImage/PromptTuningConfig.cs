namespace CdmNotebooks.TextToImage;

/// <summary>Immutable recipe of prompt tuning one shard: how many context vectors it learns and how.</summary>
public sealed record PromptTuningConfig
{
    /// <summary>Learned context vectors prepended to every caption (at most the encoder's MaxContextTokens).</summary>
    public int ContextTokens { get; init; } = 4;

    /// <summary>Images per step.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Optimizer steps.</summary>
    public int TrainSteps { get; init; } = 500;

    /// <summary>Adam learning rate of the context vectors.</summary>
    public double LearningRate { get; init; } = 1e-2;

    /// <summary>Seed of the context initialization and batch draws.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Checks every field and throws naming the bad one.</summary>
    public void Validate()
    {
        if (ContextTokens < 1 || BatchSize < 1 || TrainSteps < 1 || !(LearningRate > 0))
        {
            throw new ArgumentException("PromptTuningConfig: ContextTokens, BatchSize and TrainSteps must be >= 1 and LearningRate > 0.");
        }
    }
}
