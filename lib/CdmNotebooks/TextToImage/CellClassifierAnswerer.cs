using System.Globalization;
using static TorchSharp.torch;

namespace CdmNotebooks.TextToImage;

/// <summary>The built-in answerer: a per-cell classifier reads the 2x2 grid, existence/identity/position answers follow from the predicted cells, and the counter counts non-empty predicted cells.</summary>
public sealed class CellClassifierAnswerer : IVisualQuestionAnswerer
{
    private readonly CellClassifier _classifier;

    /// <summary>Answers with <paramref name="classifier"/> (not owned).</summary>
    public CellClassifierAnswerer(CellClassifier classifier)
    {
        _classifier = classifier ?? throw new ArgumentNullException(nameof(classifier));
    }

    /// <inheritdoc />
    public string Name => $"cell classifier ({_classifier.Config.CellSize}px cells, seed {_classifier.Config.Seed})";

    /// <inheritdoc />
    public IReadOnlyList<IReadOnlyList<string>> Answer(Tensor images, IReadOnlyList<IReadOnlyList<SceneQuestion>> questions)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(questions);
        if (images.shape[0] != questions.Count)
        {
            throw new ArgumentException($"Got {images.shape[0]} images but {questions.Count} question lists; pass one list per image.", nameof(questions));
        }

        var cells = _classifier.PredictCells(images);
        return questions.Select((list, n) => (IReadOnlyList<string>)list.Select(q => AnswerFromCells(cells.AsSpan(n * 4, 4), q)).ToArray()).ToArray();
    }

    /// <summary>The answer to <paramref name="question"/> for an image whose four cells (reading order) hold <paramref name="cells"/>.</summary>
    public static string AnswerFromCells(ReadOnlySpan<int> cells, SceneQuestion question)
    {
        ArgumentNullException.ThrowIfNull(question);
        return question.Kind switch
        {
            QuestionKind.Existence => YesNo(cells.Contains(Required(question.Category, question))),
            QuestionKind.Identity => SceneVocabulary.WordOf(cells[(int)Required(question.Cell, question)]),
            QuestionKind.Position => YesNo(cells[(int)Required(question.Cell, question)] == Required(question.Category, question)),
            QuestionKind.Count => Count(cells, Required(question.Scope, question)).ToString(CultureInfo.InvariantCulture),
            _ => throw new ArgumentOutOfRangeException(nameof(question), question.Kind, "Unknown question kind."),
        };
    }

    private static int Count(ReadOnlySpan<int> cells, CountScope scope)
    {
        var count = 0;
        foreach (var c in cells)
        {
            count += c == SceneVocabulary.Empty ? 0
                : scope == CountScope.Objects ? 1
                : scope == CountScope.Digits == SceneVocabulary.IsDigit(c) ? 1 : 0;
        }

        return count;
    }

    private static string YesNo(bool value) => value ? "yes" : "no";

    private static T Required<T>(T? value, SceneQuestion question)
        where T : struct =>
        value ?? throw new ArgumentException($"Question '{question.Text}' ({question.Kind}) lacks the structured field this answerer needs; build questions with QuestionGenerator.");
}
