namespace CdmNotebooks.TextToImage;

/// <summary>A TIFA-style alignment score: mean over prompts of the fraction of caption questions answered as the caption implies, with a percentile-bootstrap interval over prompts.</summary>
/// <param name="Scorer">Name of the scorer and answerer.</param>
/// <param name="Score">Mean per-prompt answer accuracy in [0, 1].</param>
/// <param name="ConfidenceLow">Lower bound of the bootstrap interval.</param>
/// <param name="ConfidenceHigh">Upper bound of the bootstrap interval.</param>
/// <param name="ConfidenceLevel">Level of the interval, e.g. 0.95.</param>
/// <param name="Prompts">Number of images/prompts scored.</param>
/// <param name="Questions">Number of questions asked in all.</param>
/// <param name="AccuracyByKind">Answer accuracy pooled over all questions of each kind present.</param>
/// <param name="PerPrompt">Answer accuracy of each prompt, in input order.</param>
public sealed record CaptionAlignmentResult(
    string Scorer,
    double Score,
    double ConfidenceLow,
    double ConfidenceHigh,
    double ConfidenceLevel,
    int Prompts,
    int Questions,
    IReadOnlyDictionary<QuestionKind, double> AccuracyByKind,
    IReadOnlyList<double> PerPrompt)
{
    /// <summary>
    /// The percentile-bootstrap interval (over prompts, paired: each image scored against its own caption here and against another caption in
    /// <paramref name="mismatched"/>) of the mean per-prompt gain of this score over <paramref name="mismatched"/>. Its lower end above 0 says the
    /// images follow their own captions, which images that ignore the caption (noise, or one drawing for every prompt) cannot show.
    /// </summary>
    public (double Low, double High) GainInterval(CaptionAlignmentResult mismatched, int resamples, int seed)
    {
        ArgumentNullException.ThrowIfNull(mismatched);
        if (mismatched.PerPrompt.Count != PerPrompt.Count)
        {
            throw new ArgumentException($"The mismatched score covers {mismatched.PerPrompt.Count} prompts and this one {PerPrompt.Count}; score the same images against both.", nameof(mismatched));
        }

        var gains = PerPrompt.Select((own, n) => own - mismatched.PerPrompt[n]).ToArray();
        return PercentileBootstrap.MeanInterval(gains, resamples, seed, ConfidenceLevel);
    }
}
