using CdmNotebooks.TextToImage;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.TextToImage;

public sealed class QuestionAnsweringTests
{
    [Fact]
    public void QuestionsCoverExistenceIdentityPositionAndCountingWithCaptionImpliedAnswers()
    {
        var questions = QuestionGenerator.Generate("a sneaker top left and a 7 bottom right");
        var pairs = questions.Select(q => (q.Kind, q.Text, q.ExpectedAnswer)).ToArray();
        Assert.Equal(
            new[]
            {
                (QuestionKind.Existence, "is there a sneaker?", "yes"),
                (QuestionKind.Existence, "is there a 7?", "yes"),
                (QuestionKind.Identity, "which clothing item is top left?", "sneaker"),
                (QuestionKind.Position, "is there a sneaker top left?", "yes"),
                (QuestionKind.Identity, "which digit is bottom right?", "7"),
                (QuestionKind.Position, "is there a 7 bottom right?", "yes"),
                (QuestionKind.Count, "how many objects are there?", "2"),
                (QuestionKind.Count, "how many digits are there?", "1"),
                (QuestionKind.Count, "how many clothing items are there?", "1"),
            },
            pairs);
    }

    [Fact]
    public void RepeatedObjectsAreAskedAboutOnceForExistenceAndCountedTogether()
    {
        var questions = QuestionGenerator.Generate("a 7 top left and a 7 top right");
        Assert.Single(questions, q => q.Kind == QuestionKind.Existence);
        Assert.Equal(2, questions.Count(q => q.Kind == QuestionKind.Position));
        Assert.Equal(new[] { "2", "2" }, questions.Where(q => q.Kind == QuestionKind.Count).Select(q => q.ExpectedAnswer));
        Assert.DoesNotContain(questions, q => q.Text.Contains("clothing"));
        Assert.Throws<FormatException>(() => QuestionGenerator.Generate("a unicorn top left"));
    }

    [Fact]
    public void CellAnswersAreRightForTheTrueLayoutAndWrongWhereACellIsWrong()
    {
        var dataset = SceneGenerator.Generate(new SceneDatasetConfig { TrainScenes = 200, HeldOutScenes = 20 }, SyntheticPools());
        foreach (var scene in dataset.Train)
        {
            var cells = Enumerable.Range(0, 4).Select(c => scene.Layout.CategoryAt((GridCell)c)).ToArray();
            Assert.All(QuestionGenerator.Generate(scene.Layout), q => Assert.True(q.IsCorrect(CellClassifierAnswerer.AnswerFromCells(cells, q)), q.Text));
        }

        // "a sneaker top left and a 7 bottom right" read as a bag top left, a 7 bottom right and a 1 top right.
        var questions = QuestionGenerator.Generate("a sneaker top left and a 7 bottom right");
        int[] misread = [8, 11, SceneVocabulary.Empty, 17];
        var answers = questions.ToDictionary(q => q.Text, q => CellClassifierAnswerer.AnswerFromCells(misread, q));
        Assert.Equal("no", answers["is there a sneaker?"]);
        Assert.Equal("yes", answers["is there a 7?"]);
        Assert.Equal("bag", answers["which clothing item is top left?"]);
        Assert.Equal("3", answers["how many objects are there?"]);
        Assert.Equal("2", answers["how many digits are there?"]);
        Assert.Equal("1", answers["how many clothing items are there?"]);
        Assert.Equal("nothing", CellClassifierAnswerer.AnswerFromCells(misread, new SceneQuestion(QuestionKind.Identity, "which digit is bottom left?", "3", Cell: GridCell.BottomLeft)));
    }

    [Fact]
    public void TifaScoreIsTheMeanPerPromptAccuracyWithABootstrapIntervalAroundIt()
    {
        var captions = new[] { "a 1 top left", "a bag top right and a 2 bottom left", "a coat bottom right", "a 5 top left and a 6 top right and a 7 bottom left" };
        using var images = zeros(4, 1, 28, 28);
        var scorer = new TifaScorer(new HalfRightAnswerer(), resamples: 500, seed: 3);
        var result = scorer.Score(images, captions);
        // Images 0 and 2 are answered as captioned (1.0); images 1 and 3 get "no" to everything (0.0).
        Assert.Equal(new[] { 1.0, 0.0, 1.0, 0.0 }, result.PerPrompt);
        Assert.Equal(0.5, result.Score, 12);
        Assert.InRange(result.Score, result.ConfidenceLow, result.ConfidenceHigh);
        Assert.True(result.ConfidenceLow < 0.5 && result.ConfidenceHigh > 0.5);
        Assert.Equal(captions.Sum(c => QuestionGenerator.Generate(c).Count), result.Questions);
        Assert.Equal(result, scorer.Score(images, captions) with { PerPrompt = result.PerPrompt, AccuracyByKind = result.AccuracyByKind });
        Assert.Throws<ArgumentException>(() => scorer.Score(images, captions.Take(3).ToArray()));
        Assert.Throws<InvalidOperationException>(() => new TifaScorer(new DroppingAnswerer()).Score(images, captions));
    }

    [Fact]
    public void GainIntervalIsPairedOverPromptsAndCoversZeroOnlyWhenOwnPromptsDoNotHelp()
    {
        static CaptionAlignmentResult Result(params double[] perPrompt) =>
            new("test", perPrompt.Average(), 0, 1, 0.95, perPrompt.Length, perPrompt.Length, new Dictionary<QuestionKind, double>(), perPrompt);

        // Prompt difficulty varies a lot, the gain does not: pairing makes the interval tight (unpaired intervals of these two would overlap).
        var own = Result(0.9, 0.3, 0.7, 0.2, 0.8, 0.4);
        var mismatched = Result(0.8, 0.2, 0.6, 0.1, 0.7, 0.3);
        var (low, high) = own.GainInterval(mismatched, 500, 0);
        Assert.Equal(0.1, low, 9);
        Assert.Equal(0.1, high, 9);

        // Half the prompts gain, half lose as much: the interval straddles 0.
        var (mixedLow, mixedHigh) = Result(0.5, 0.5, 0.5, 0.5).GainInterval(Result(0.3, 0.7, 0.3, 0.7), 500, 0);
        Assert.True(mixedLow < 0 && mixedHigh > 0, $"[{mixedLow}, {mixedHigh}]");

        var error = Assert.Throws<ArgumentException>(() => own.GainInterval(Result(0.1, 0.2), 500, 0));
        Assert.Contains("covers 2 prompts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SplitCellsFollowsTheRenderersReadingOrder()
    {
        using var images = arange(2 * 28 * 28, ScalarType.Float32).reshape(2, 1, 28, 28);
        using var cells = CellClassifier.SplitCells(images);
        Assert.Equal(new long[] { 8, 1, 14, 14 }, cells.shape);
        Assert.True(cells[1, 0].allclose(images[0, 0, TensorIndex.Slice(0, 14), TensorIndex.Slice(14, 28)], 0, 0));
        Assert.True(cells[6, 0].allclose(images[1, 0, TensorIndex.Slice(14, 28), TensorIndex.Slice(0, 14)], 0, 0));
    }

    internal static ScenePools SyntheticPools() => new(
        Enumerable.Range(0, 20).Select(c => (IReadOnlyList<string>)Enumerable.Range(0, 5).Select(i => $"src/train/{c}/{i}").ToArray()).ToArray(),
        Enumerable.Range(0, 20).Select(c => (IReadOnlyList<string>)Enumerable.Range(0, 5).Select(i => $"src/test/{c}/{i}").ToArray()).ToArray());

    /// <summary>Answers even-indexed images as their captions imply and says "no" to everything on odd-indexed ones.</summary>
    private sealed class HalfRightAnswerer : IVisualQuestionAnswerer
    {
        public string Name => "half right";

        public IReadOnlyList<IReadOnlyList<string>> Answer(Tensor images, IReadOnlyList<IReadOnlyList<SceneQuestion>> questions) =>
            questions.Select((list, n) => (IReadOnlyList<string>)list.Select(q => n % 2 == 0 ? q.ExpectedAnswer : "no").ToArray()).ToArray();
    }

    /// <summary>A broken answerer that forgets the last question of every image.</summary>
    private sealed class DroppingAnswerer : IVisualQuestionAnswerer
    {
        public string Name => "dropping";

        public IReadOnlyList<IReadOnlyList<string>> Answer(Tensor images, IReadOnlyList<IReadOnlyList<SceneQuestion>> questions) =>
            questions.Select(list => (IReadOnlyList<string>)list.Skip(1).Select(q => q.ExpectedAnswer).ToArray()).ToArray();
    }
}
