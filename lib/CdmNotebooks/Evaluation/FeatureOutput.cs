using static TorchSharp.torch;

namespace CdmNotebooks.Evaluation;

/// <summary>What a feature extractor returns for a batch of images: embedding features and class logits; owns both tensors.</summary>
public sealed class FeatureOutput : IDisposable
{
    /// <summary>Takes ownership of <paramref name="features"/> [N,D] and <paramref name="logits"/> [N,C].</summary>
    public FeatureOutput(Tensor features, Tensor logits)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(logits);
        if (features.dim() != 2 || logits.dim() != 2 || features.shape[0] != logits.shape[0])
        {
            throw new ArgumentException(
                $"Features must be [N,D] and logits [N,C] with the same N; got [{string.Join(",", features.shape)}] and [{string.Join(",", logits.shape)}].");
        }

        Features = features;
        Logits = logits;
    }

    /// <summary>Features [N,D], float32 on CPU: what FID, KID and the feature-space memorization probe compare.</summary>
    public Tensor Features { get; }

    /// <summary>Class logits [N,C], float32 on CPU: what conditional accuracy reads.</summary>
    public Tensor Logits { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Features.Dispose();
        Logits.Dispose();
    }
}
