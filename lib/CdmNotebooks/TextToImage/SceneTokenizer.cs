using static TorchSharp.torch;

namespace CdmNotebooks.TextToImage;

/// <summary>Word-level tokenizer over the closed scene vocabulary: a [cls] token, one token per word, [pad] to a fixed length; an unknown word is an error naming it and the vocabulary.</summary>
public static class SceneTokenizer
{
    /// <summary>Token ID of padding (masked out by the encoder).</summary>
    public const long Pad = 0;

    /// <summary>Token ID of the leading summary token whose output is the caption embedding.</summary>
    public const long Cls = 1;

    /// <summary>Longest caption in words: three "a WORD ROW COLUMN" objects joined by two "and".</summary>
    public const int MaxWords = SceneLayout.MaxObjects * 4 + SceneLayout.MaxObjects - 1;

    /// <summary>Tokens per encoded caption: [cls] + <see cref="MaxWords"/>.</summary>
    public const int SequenceLength = 1 + MaxWords;

    private static readonly string[] _vocabulary = new[] { "[pad]", "[cls]" }.Concat(SceneVocabulary.Words).ToArray();
    private static readonly Dictionary<string, long> _ids = _vocabulary.Select((w, i) => (w, (long)i)).ToDictionary(p => p.w, p => p.Item2, StringComparer.Ordinal);

    /// <summary>Token strings indexed by token ID.</summary>
    public static IReadOnlyList<string> Vocabulary => _vocabulary;

    /// <summary>Token IDs of one caption: [cls] then one ID per space-separated word (no padding).</summary>
    public static long[] Tokenize(string caption)
    {
        ArgumentNullException.ThrowIfNull(caption);
        var words = caption.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0 || words.Length > MaxWords)
        {
            throw new ArgumentException($"Caption '{caption}' has {words.Length} words; captions have 1 to {MaxWords}.", nameof(caption));
        }

        var ids = new long[words.Length + 1];
        ids[0] = Cls;
        for (var i = 0; i < words.Length; i++)
        {
            if (!_ids.TryGetValue(words[i], out ids[i + 1]) || ids[i + 1] <= Cls)
            {
                throw new ArgumentException(
                    $"Unknown word '{words[i]}' in caption '{caption}'. The scene vocabulary is: {string.Join(", ", SceneVocabulary.Words)}.", nameof(caption));
            }
        }

        return ids;
    }

    /// <summary>Token IDs [B, <see cref="SequenceLength"/>] int64 of <paramref name="captions"/>, padded with <see cref="Pad"/>.</summary>
    public static Tensor Encode(IReadOnlyList<string> captions)
    {
        ArgumentNullException.ThrowIfNull(captions);
        if (captions.Count == 0)
        {
            throw new ArgumentException("Encode needs at least one caption.", nameof(captions));
        }

        var ids = new long[captions.Count * SequenceLength];
        for (var b = 0; b < captions.Count; b++)
        {
            var tokens = Tokenize(captions[b]);
            Array.Copy(tokens, 0, ids, b * SequenceLength, tokens.Length);
        }

        return tensor(ids, new long[] { captions.Count, SequenceLength }, ScalarType.Int64);
    }
}
