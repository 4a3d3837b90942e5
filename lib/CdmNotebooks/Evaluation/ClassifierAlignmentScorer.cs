using static TorchSharp.torch;

namespace CdmNotebooks.Evaluation;

/// <summary>The built-in alignment scorer: the feature extractor's own classifier judges each image (conditional accuracy).</summary>
public sealed class ClassifierAlignmentScorer : IAlignmentScorer
{
    private readonly IFeatureExtractor _extractor;

    /// <summary>Judges with the logits of <paramref name="extractor"/>.</summary>
    public ClassifierAlignmentScorer(IFeatureExtractor extractor)
    {
        _extractor = extractor ?? throw new ArgumentNullException(nameof(extractor));
    }

    /// <inheritdoc />
    public string Name => $"conditional accuracy ({_extractor.Name})";

    /// <inheritdoc />
    public ConditionalAccuracyResult Score(Tensor images, IReadOnlyList<long> requestedClasses)
    {
        using var output = _extractor.Extract(images);
        return ConditionalAccuracy.FromLogits(output.Logits, requestedClasses);
    }
}
