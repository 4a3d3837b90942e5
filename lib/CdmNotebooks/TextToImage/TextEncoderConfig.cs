namespace CdmNotebooks.TextToImage;

/// <summary>Immutable architecture of a <see cref="TextEncoder"/> (saved beside its weights).</summary>
public sealed record TextEncoderConfig
{
    /// <summary>Width of token embeddings and of the transformer.</summary>
    public int Width { get; init; } = 64;

    /// <summary>Attention heads per layer (must divide <see cref="Width"/>).</summary>
    public int Heads { get; init; } = 4;

    /// <summary>Transformer encoder layers.</summary>
    public int Layers { get; init; } = 2;

    /// <summary>Hidden width of each layer's feed-forward block.</summary>
    public int FeedForward { get; init; } = 128;

    /// <summary>Dimension of the caption embedding; must equal the UNet's <c>UNetConfig.EmbeddingDim</c>.</summary>
    public int OutputDim { get; init; } = 128;

    /// <summary>Most learned context (prompt-tuning) vectors that may be prepended to a caption.</summary>
    public int MaxContextTokens { get; init; } = 8;

    /// <summary>Dropout inside the transformer layers during training.</summary>
    public double Dropout { get; init; }

    /// <summary>Checks every field and throws naming the bad one.</summary>
    public void Validate()
    {
        if (Width < 1 || Heads < 1 || Width % Heads != 0)
        {
            throw new ArgumentException($"TextEncoderConfig: Width ({Width}) must be positive and divisible by Heads ({Heads}).");
        }

        if (Layers < 1 || FeedForward < 1 || OutputDim < 1 || MaxContextTokens < 0 || Dropout < 0 || Dropout >= 1)
        {
            throw new ArgumentException("TextEncoderConfig: Layers, FeedForward and OutputDim must be >= 1, MaxContextTokens >= 0 and Dropout in [0, 1).");
        }
    }
}
