using System.Text.Json.Serialization;

namespace CdmNotebooks.Diffusion;

/// <summary>Immutable architecture of a <see cref="UNet"/> for square single-channel images (saved beside the weights).</summary>
public sealed record UNetConfig
{
    /// <summary>Input/output channels (1 for 28x28 grayscale).</summary>
    public int ImageChannels { get; init; } = 1;

    /// <summary>Input height and width; each non-final level halves it (28 -> 14 -> 7).</summary>
    public int ImageSize { get; init; } = 28;

    /// <summary>Channels at the first level; level l has BaseChannels * ChannelMultipliers[l].</summary>
    public int BaseChannels { get; init; } = 32;

    /// <summary>Channel multiplier per resolution level.</summary>
    public int[] ChannelMultipliers { get; init; } = [1, 2, 2];

    /// <summary>Residual blocks per level on the way down (the way up has one more, as in Ho et al. 2020).</summary>
    public int ResBlocksPerLevel { get; init; } = 1;

    /// <summary>Resolutions (e.g. 7) at which self-attention follows each residual block; empty = no attention.</summary>
    public int[] AttentionResolutions { get; init; } = [7];

    /// <summary>Heads of each self-attention layer.</summary>
    public int AttentionHeads { get; init; } = 1;

    /// <summary>Groups of every GroupNorm (must divide every channel count).</summary>
    public int NormGroups { get; init; } = 8;

    /// <summary>Number of classes; 0 disables class conditioning. Index ClassCount is the learned null class.</summary>
    public int ClassCount { get; init; } = 10;

    /// <summary>Dimension of an optional conditioning embedding vector (e.g. a text embedding); 0 disables it.</summary>
    public int EmbeddingDim { get; init; }

    /// <summary>The caption encoder of a text-conditioned UNet (its conditioning module: captions arrive as token IDs in <see cref="Conditioning.Embedding"/>); null = no text. Its OutputDim must equal <see cref="EmbeddingDim"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TextToImage.TextEncoderConfig? TextEncoder { get; init; }

    /// <summary>Resolutions (e.g. 14, 7) at which cross-attention to the caption's words follows each residual block of a text-conditioned UNet; null = the pooled caption embedding only.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int[]? CrossAttentionResolutions { get; init; }

    /// <summary>Learned context vectors (prompt tuning) the text encoder prepends to every caption; 0 = none. At most the encoder's MaxContextTokens.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int PromptTokens { get; init; }

    /// <summary>Dropout inside residual blocks during training.</summary>
    public double Dropout { get; init; }

    /// <summary>What the network outputs.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<PredictionKind>))]
    public PredictionKind Prediction { get; init; } = PredictionKind.Epsilon;

    /// <summary>Checks the configuration and throws a specific error naming the bad field.</summary>
    public void Validate()
    {
        if (ImageChannels < 1 || BaseChannels < 1 || ResBlocksPerLevel < 1 || NormGroups < 1 || AttentionHeads < 1)
        {
            throw new ArgumentException("UNetConfig: ImageChannels, BaseChannels, ResBlocksPerLevel, NormGroups and AttentionHeads must be >= 1.");
        }

        if (ChannelMultipliers.Length < 1 || ChannelMultipliers.Any(m => m < 1))
        {
            throw new ArgumentException("UNetConfig.ChannelMultipliers must be a non-empty list of positive integers.");
        }

        if (ImageSize % (1 << (ChannelMultipliers.Length - 1)) != 0)
        {
            throw new ArgumentException($"UNetConfig: ImageSize {ImageSize} must be divisible by 2^(levels-1) = {1 << (ChannelMultipliers.Length - 1)}.");
        }

        foreach (var m in ChannelMultipliers)
        {
            var channels = BaseChannels * m;
            if (channels % NormGroups != 0 || channels % AttentionHeads != 0)
            {
                throw new ArgumentException($"UNetConfig: channel count {channels} must be divisible by NormGroups {NormGroups} and AttentionHeads {AttentionHeads}.");
            }
        }

        if (ClassCount < 0 || EmbeddingDim < 0 || Dropout < 0 || Dropout >= 1)
        {
            throw new ArgumentException("UNetConfig: ClassCount and EmbeddingDim must be >= 0 and Dropout in [0, 1).");
        }

        if (TextEncoder is not null)
        {
            TextEncoder.Validate();
            if (TextEncoder.OutputDim != EmbeddingDim || ClassCount != 0)
            {
                throw new ArgumentException(
                    $"UNetConfig: a text-conditioned UNet needs EmbeddingDim ({EmbeddingDim}) equal to TextEncoder.OutputDim ({TextEncoder.OutputDim}) and ClassCount 0 (is {ClassCount}).");
            }
        }

        if (CrossAttentionResolutions is { Length: > 0 } && TextEncoder is null)
        {
            throw new ArgumentException("UNetConfig.CrossAttentionResolutions needs a TextEncoder: cross-attention reads the caption's words.");
        }

        if (PromptTokens < 0 || (PromptTokens > 0 && (TextEncoder is null || PromptTokens > TextEncoder.MaxContextTokens)))
        {
            throw new ArgumentException(
                $"UNetConfig.PromptTokens ({PromptTokens}) must be 0, or at most TextEncoder.MaxContextTokens ({TextEncoder?.MaxContextTokens.ToString() ?? "no text encoder"}) on a text-conditioned UNet.");
        }
    }
}
