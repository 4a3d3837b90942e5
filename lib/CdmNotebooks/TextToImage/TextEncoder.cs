using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CdmNotebooks.TextToImage;

/// <summary>Small transformer text encoder: token + learned position embeddings, libtorch transformer encoder layers with padding masks, and the [cls] output projected to the UNet's embedding-conditioning vector [B, OutputDim].</summary>
/// <remarks>Optional context vectors [K, Width] (prompt tuning) are prepended before the [cls] token; they attend and are attended to like words.</remarks>
public sealed class TextEncoder : Module
{
    private readonly Embedding tokenEmbedding;
    private readonly Parameter positionEmbedding;
    private readonly ModuleList<TransformerEncoderLayer> layers = new();
    private readonly LayerNorm finalNorm;
    private readonly Linear output;

    /// <summary>Builds the encoder with parameters drawn from torch's global generator (seed it first for reproducibility).</summary>
    public TextEncoder(TextEncoderConfig config)
        : base(nameof(TextEncoder))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        tokenEmbedding = Embedding(SceneTokenizer.Vocabulary.Count, config.Width);
        positionEmbedding = new Parameter(randn(config.MaxContextTokens + SceneTokenizer.SequenceLength, config.Width) * 0.02);
        for (var i = 0; i < config.Layers; i++)
        {
            layers.Add(TransformerEncoderLayer(config.Width, config.Heads, config.FeedForward, config.Dropout, Activations.GELU));
        }

        finalNorm = LayerNorm(config.Width);
        output = Linear(config.Width, config.OutputDim);
        RegisterComponents();
    }

    /// <summary>The architecture.</summary>
    public TextEncoderConfig Config { get; }

    /// <summary>Caption embeddings [B, OutputDim] of token IDs [B, L] (from <see cref="SceneTokenizer.Encode"/>), with optional context vectors [K, Width] shared by the batch.</summary>
    public Tensor Forward(Tensor tokens, Tensor? context = null)
    {
        var (summary, states, padding) = Encode(tokens, context);
        states.Dispose();
        padding.Dispose();
        return summary;
    }

    /// <summary>
    /// The caption embedding [B, OutputDim] and every position's final state [B, K + L, Width] with its padding mask [B, K + L] (true = a pad
    /// token, whose state means nothing), for a network that attends to the words (cross-attention) as well as reading the summary.
    /// </summary>
    public (Tensor Summary, Tensor States, Tensor Padding) Encode(Tensor tokens, Tensor? context = null)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (tokens.dim() != 2 || tokens.shape[1] > SceneTokenizer.SequenceLength || tokens.dtype != ScalarType.Int64)
        {
            throw new ArgumentException($"Tokens must be int64 [B, L<={SceneTokenizer.SequenceLength}]; got {tokens.dtype} [{string.Join(",", tokens.shape)}].", nameof(tokens));
        }

        var contextLength = context?.shape[0] ?? 0;
        if (context is not null && (context.dim() != 2 || context.shape[1] != Config.Width || contextLength > Config.MaxContextTokens))
        {
            throw new ArgumentException(
                $"Context must be [K<={Config.MaxContextTokens}, {Config.Width}]; got [{string.Join(",", context.shape)}].", nameof(context));
        }

        using var scope = NewDisposeScope();
        var batch = tokens.shape[0];
        var x = tokenEmbedding.forward(tokens);
        var padding = tokens.eq(SceneTokenizer.Pad);
        if (context is not null)
        {
            x = cat([context.unsqueeze(0).expand(batch, -1, -1), x], 1);
            padding = cat([zeros(batch, contextLength, ScalarType.Bool, tokens.device), padding], 1);
        }

        x = x + positionEmbedding.narrow(0, 0, x.shape[1]).unsqueeze(0);
        // libtorch's encoder layers are sequence-first: [S, B, W].
        var h = x.transpose(0, 1);
        foreach (var layer in layers)
        {
            h = layer.call(h, null!, padding);
        }

        var states = finalNorm.forward(h.transpose(0, 1));
        // A row whose every position is padding (the null caption) has no defined states: zero them so nothing downstream sees NaN.
        states = where(padding.unsqueeze(2), zeros_like(states), states);
        var summary = output.forward(states.select(1, contextLength));
        return (summary.MoveToOuterDisposeScope(), states.MoveToOuterDisposeScope(), padding.MoveToOuterDisposeScope());
    }

    /// <summary>Caption embeddings [B, OutputDim] of caption strings (tokenized on the encoder's device).</summary>
    public Tensor EncodeCaptions(IReadOnlyList<string> captions, Tensor? context = null)
    {
        using var scope = NewDisposeScope();
        var tokens = SceneTokenizer.Encode(captions).to(positionEmbedding.device);
        return Forward(tokens, context).MoveToOuterDisposeScope();
    }
}
