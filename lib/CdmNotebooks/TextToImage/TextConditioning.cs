using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.TextToImage;

/// <summary>Carries captions through the diffusion contract: <see cref="Conditioning.Embedding"/> holds the caption's token IDs as float32 [B, L], so every text-conditioned shard (own encoder or own prompt) encodes them itself; an all-zero row (all [pad], what <see cref="Conditioning.Null"/> produces) is the null caption of classifier-free guidance.</summary>
public static class TextConditioning
{
    /// <summary>Conditioning of <paramref name="captions"/> (token IDs as float32 [B, <see cref="SceneTokenizer.SequenceLength"/>]).</summary>
    public static Conditioning FromCaptions(IReadOnlyList<string> captions)
    {
        using var tokens = SceneTokenizer.Encode(captions);
        return Conditioning.Embeddings(tokens.to(ScalarType.Float32));
    }

    /// <summary>Token IDs [B, L] int64 and a null mask [B] (true where the row is the null caption) of <paramref name="conditioning"/>; null rows get a lone [cls] so attention stays defined.</summary>
    public static (Tensor Tokens, Tensor IsNull) Decode(Conditioning conditioning)
    {
        ArgumentNullException.ThrowIfNull(conditioning);
        var embedding = conditioning.Embedding
                        ?? throw new ArgumentException("A text-conditioned model needs Conditioning.Embedding holding token IDs (TextConditioning.FromCaptions).", nameof(conditioning));
        if (embedding.dim() != 2 || embedding.shape[1] != SceneTokenizer.SequenceLength)
        {
            throw new ArgumentException($"Text conditioning must be token IDs [B, {SceneTokenizer.SequenceLength}]; got [{string.Join(",", embedding.shape)}].", nameof(conditioning));
        }

        using var scope = NewDisposeScope();
        var tokens = embedding.round().to(ScalarType.Int64);
        var isNull = tokens.eq(SceneTokenizer.Pad).all(1);
        var clsOnly = zeros_like(tokens);
        clsOnly[TensorIndex.Colon, 0] = tensor(SceneTokenizer.Cls);
        tokens = where(isNull.unsqueeze(1), clsOnly, tokens);
        return (tokens.MoveToOuterDisposeScope(), isNull.MoveToOuterDisposeScope());
    }
}
