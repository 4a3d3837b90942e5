namespace CdmNotebooks.TextToImage;

/// <summary>Generates TIFA-style questions with caption-implied answers: existence per distinct object, identity and position per object, and counts (all objects, digits, clothing items present).</summary>
/// <remarks>TIFA (Hu et al. 2023) asks an LLM for question-answer pairs from the caption; our captions follow a closed grammar, so the pairs are derived exactly by parsing it.</remarks>
public static class QuestionGenerator
{
    /// <summary>Questions about an image generated for <paramref name="caption"/> (which must follow the scene grammar).</summary>
    public static IReadOnlyList<SceneQuestion> Generate(string caption) => Generate(SceneLayout.Parse(caption));

    /// <summary>Questions about an image generated for <paramref name="layout"/>.</summary>
    public static IReadOnlyList<SceneQuestion> Generate(SceneLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var questions = new List<SceneQuestion>();
        foreach (var category in layout.Objects.Select(o => o.Category).Distinct())
        {
            questions.Add(new SceneQuestion(QuestionKind.Existence, $"is there a {SceneVocabulary.WordOf(category)}?", "yes", Category: category));
        }

        foreach (var o in layout.Objects)
        {
            var word = SceneVocabulary.WordOf(o.Category);
            var phrase = SceneVocabulary.PhraseOf(o.Cell);
            var noun = SceneVocabulary.IsDigit(o.Category) ? "digit" : "clothing item";
            questions.Add(new SceneQuestion(QuestionKind.Identity, $"which {noun} is {phrase}?", word, Cell: o.Cell));
            questions.Add(new SceneQuestion(QuestionKind.Position, $"is there a {word} {phrase}?", "yes", Category: o.Category, Cell: o.Cell));
        }

        questions.Add(CountQuestion(CountScope.Objects, "objects", layout.Objects.Count));
        var digits = layout.Objects.Count(o => SceneVocabulary.IsDigit(o.Category));
        if (digits > 0)
        {
            questions.Add(CountQuestion(CountScope.Digits, "digits", digits));
        }

        if (digits < layout.Objects.Count)
        {
            questions.Add(CountQuestion(CountScope.ClothingItems, "clothing items", layout.Objects.Count - digits));
        }

        return questions;
    }

    private static SceneQuestion CountQuestion(CountScope scope, string noun, int count) =>
        new(QuestionKind.Count, $"how many {noun} are there?", count.ToString(System.Globalization.CultureInfo.InvariantCulture), Scope: scope);
}
