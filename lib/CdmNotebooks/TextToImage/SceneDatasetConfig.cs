namespace CdmNotebooks.TextToImage;

/// <summary>Immutable parameters of the captioned-scene generator; with the generator version they determine every scene exactly.</summary>
public sealed record SceneDatasetConfig
{
    /// <summary>Version of the generation algorithm; bump it whenever the same configuration would produce different scenes.</summary>
    public const int CurrentGeneratorVersion = 1;

    /// <summary>Algorithm version the scenes were generated with.</summary>
    public int GeneratorVersion { get; init; } = CurrentGeneratorVersion;

    /// <summary>Seed of the explicit PRNG (MathNet Mersenne Twister) and of the held-out prompt hash.</summary>
    public int Seed { get; init; } = 8;

    /// <summary>Number of training scenes (their prompts are never held-out prompts; their images come from the training parts).</summary>
    public int TrainScenes { get; init; } = 20000;

    /// <summary>Number of held-out scenes (held-out prompts drawn with test-part images).</summary>
    public int HeldOutScenes { get; init; } = 2000;

    /// <summary>Percentage (1..99) of all possible captions reserved as held-out prompts, chosen by a seeded hash of the caption.</summary>
    public int HeldOutPromptPercent { get; init; } = 10;

    /// <summary>Side of one grid cell in pixels: 14 (objects downsampled 28->14, 28x28 canvas, the default) or 28 (full-size objects, 56x56 canvas).</summary>
    public int CellSize { get; init; } = 14;

    /// <summary>Side of the square canvas (two cells).</summary>
    public int CanvasSize => 2 * CellSize;

    /// <summary>Checks every field and throws naming the bad one.</summary>
    public void Validate()
    {
        if (GeneratorVersion != CurrentGeneratorVersion)
        {
            throw new ArgumentException($"Scene generator version {GeneratorVersion} is not this code's version {CurrentGeneratorVersion}; regenerate the manifest with `cdm scenes generate`.");
        }

        if (TrainScenes < 1 || HeldOutScenes < 1)
        {
            throw new ArgumentException("SceneDatasetConfig: TrainScenes and HeldOutScenes must be >= 1.");
        }

        if (HeldOutPromptPercent is < 1 or > 99)
        {
            throw new ArgumentException($"SceneDatasetConfig.HeldOutPromptPercent must be in 1..99; got {HeldOutPromptPercent}.");
        }

        if (CellSize is not (14 or 28))
        {
            throw new ArgumentException($"SceneDatasetConfig.CellSize must be 14 (28x28 canvas) or 28 (56x56 canvas); got {CellSize}.");
        }
    }
}
