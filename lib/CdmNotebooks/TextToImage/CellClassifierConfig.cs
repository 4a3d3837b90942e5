namespace CdmNotebooks.TextToImage;

/// <summary>Immutable architecture and training recipe of the per-cell object classifier (saved beside its weights).</summary>
public sealed record CellClassifierConfig
{
    /// <summary>Side of a cell in pixels (the scene dataset's CellSize: 14 or 28).</summary>
    public int CellSize { get; init; } = 14;

    /// <summary>Channels of the first convolution (the second has twice as many).</summary>
    public int Channels { get; init; } = 16;

    /// <summary>Width of the hidden fully connected layer.</summary>
    public int Hidden { get; init; } = 128;

    /// <summary>Dropout before the output layer during training.</summary>
    public double Dropout { get; init; } = 0.2;

    /// <summary>Optimizer steps.</summary>
    public int TrainSteps { get; init; } = 1500;

    /// <summary>Cells per step.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>AdamW learning rate.</summary>
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>Seed of initialization and batch draws.</summary>
    public long Seed { get; init; } = 1;

    /// <summary>Checks every field and throws naming the bad one.</summary>
    public void Validate()
    {
        if (CellSize is not (14 or 28))
        {
            throw new ArgumentException($"CellClassifierConfig.CellSize must be 14 or 28; got {CellSize}.");
        }

        if (Channels < 1 || Hidden < 1 || TrainSteps < 1 || BatchSize < 1 || !(LearningRate > 0) || Dropout < 0 || Dropout >= 1)
        {
            throw new ArgumentException("CellClassifierConfig: Channels, Hidden, TrainSteps, BatchSize must be >= 1, LearningRate > 0 and Dropout in [0, 1).");
        }
    }
}
