namespace CdmNotebooks.TextToImage;

/// <summary>One question about an image generated from its caption: the natural-language text (what a VQA model reads), the answer the caption implies, and the structured fields the built-in answerers use.</summary>
/// <param name="Kind">Question category.</param>
/// <param name="Text">The question, e.g. "which digit is bottom right?".</param>
/// <param name="ExpectedAnswer">The answer implied by the caption: "yes", an object word, or a number.</param>
/// <param name="Category">Object category asked about (Existence, Position), or null.</param>
/// <param name="Cell">Cell asked about (Identity, Position), or null.</param>
/// <param name="Scope">What is counted (Count), or null.</param>
public sealed record SceneQuestion(QuestionKind Kind, string Text, string ExpectedAnswer, int? Category = null, GridCell? Cell = null, CountScope? Scope = null)
{
    /// <summary>Whether <paramref name="answer"/> matches the expected answer (trimmed, case-insensitive exact match, as TIFA scores multiple choice).</summary>
    public bool IsCorrect(string answer) =>
        string.Equals(answer?.Trim(), ExpectedAnswer, StringComparison.OrdinalIgnoreCase);
}
