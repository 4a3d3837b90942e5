using static TorchSharp.torch;

namespace CdmNotebooks.TextToImage;

/// <summary>TIFA-style caption alignment (Hu et al. 2023): generate questions from each caption, answer them on the image with an <see cref="IVisualQuestionAnswerer"/>, score the mean per-prompt accuracy with a bootstrap interval.</summary>
public sealed class TifaScorer : ICaptionAlignmentScorer
{
    private readonly IVisualQuestionAnswerer _answerer;
    private readonly int _resamples;
    private readonly int _seed;
    private readonly double _level;

    /// <summary>Scores with <paramref name="answerer"/>; the interval uses <paramref name="resamples"/> seeded resamples of the prompts.</summary>
    public TifaScorer(IVisualQuestionAnswerer answerer, int resamples = 1000, int seed = 0, double confidenceLevel = 0.95)
    {
        _answerer = answerer ?? throw new ArgumentNullException(nameof(answerer));
        if (resamples < 1 || confidenceLevel is <= 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(resamples), "resamples must be >= 1 and confidenceLevel in (0, 1).");
        }

        _resamples = resamples;
        _seed = seed;
        _level = confidenceLevel;
    }

    /// <inheritdoc />
    public string Name => $"TIFA-style ({_answerer.Name})";

    /// <inheritdoc />
    public CaptionAlignmentResult Score(Tensor images, IReadOnlyList<string> captions)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(captions);
        if (captions.Count == 0 || images.shape[0] != captions.Count)
        {
            throw new ArgumentException($"Got {images.shape[0]} images and {captions.Count} captions; pass one caption per image (at least one).", nameof(captions));
        }

        var questions = captions.Select(QuestionGenerator.Generate).ToArray();
        var answers = _answerer.Answer(images, questions);
        if (answers.Count != questions.Length || answers.Where((a, n) => a.Count != questions[n].Count).Any())
        {
            throw new InvalidOperationException($"Answerer '{_answerer.Name}' did not return exactly one answer per question.");
        }

        var perPrompt = new double[questions.Length];
        var byKind = new Dictionary<QuestionKind, (int Correct, int Total)>();
        for (var n = 0; n < questions.Length; n++)
        {
            var correct = 0;
            for (var q = 0; q < questions[n].Count; q++)
            {
                var hit = questions[n][q].IsCorrect(answers[n][q]);
                correct += hit ? 1 : 0;
                byKind.TryGetValue(questions[n][q].Kind, out var k);
                byKind[questions[n][q].Kind] = (k.Correct + (hit ? 1 : 0), k.Total + 1);
            }

            perPrompt[n] = (double)correct / questions[n].Count;
        }

        var (low, high) = PercentileBootstrap.MeanInterval(perPrompt, _resamples, _seed, _level);
        return new CaptionAlignmentResult(Name, perPrompt.Average(), low, high, _level, perPrompt.Length, questions.Sum(q => q.Count),
            byKind.OrderBy(kv => kv.Key).ToDictionary(kv => kv.Key, kv => (double)kv.Value.Correct / kv.Value.Total), perPrompt);
    }
}
