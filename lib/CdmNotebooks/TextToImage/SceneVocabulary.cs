namespace CdmNotebooks.TextToImage;

/// <summary>The closed vocabulary of scene captions: 20 object words (10 Fashion-MNIST classes, 10 digits), 4 cell phrases and the glue words "a" and "and".</summary>
/// <remarks>
/// Category indices: 0..9 are Fashion-MNIST labels 0..9, 10..19 are MNIST-10k digits 0..9, and <see cref="Empty"/> (20) is an empty cell.
/// Fashion-MNIST's "T-shirt/top" is written "t-shirt" and "Ankle boot" is "boot" so every object is one word (one token).
/// </remarks>
public static class SceneVocabulary
{
    /// <summary>Number of object categories (fashion + digits).</summary>
    public const int ObjectCategoryCount = 20;

    /// <summary>The category of an empty cell (used by the per-cell classifier: 21 classes in all).</summary>
    public const int Empty = 20;

    /// <summary>Classes of the per-cell classifier: 20 objects + empty.</summary>
    public const int CellClassCount = 21;

    /// <summary>Word written in answers for an empty cell.</summary>
    public const string EmptyWord = "nothing";

    private static readonly string[] _objectWords =
    [
        "t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "boot",
        "0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
    ];

    private static readonly string[] _cellPhrases = ["top left", "top right", "bottom left", "bottom right"];

    /// <summary>Object words indexed by category 0..19.</summary>
    public static IReadOnlyList<string> ObjectWords => _objectWords;

    /// <summary>Cell phrases indexed by <see cref="GridCell"/>.</summary>
    public static IReadOnlyList<string> CellPhrases => _cellPhrases;

    /// <summary>Every word a caption may contain, in a fixed order (the tokenizer's vocabulary after its special tokens).</summary>
    public static IReadOnlyList<string> Words { get; } = new[] { "a", "and", "top", "bottom", "left", "right" }.Concat(_objectWords).ToArray();

    /// <summary>The documented grammar of captions.</summary>
    public const string Grammar =
        "caption := object (\" and \" object){0,2}; object := \"a \" WORD \" \" CELL; CELL := top left | top right | bottom left | bottom right; " +
        "objects appear in reading order of their cells (top left, top right, bottom left, bottom right), at most one object per cell.";

    /// <summary>True for categories 10..19 (MNIST-10k digits).</summary>
    public static bool IsDigit(int category) => category is >= 10 and < ObjectCategoryCount;

    /// <summary>The source dataset of a category: "fashion-mnist" or "mnist10k".</summary>
    public static string DatasetOf(int category) => IsDigit(RequireObject(category)) ? "mnist10k" : "fashion-mnist";

    /// <summary>The class label (0..9) inside its source dataset.</summary>
    public static int LabelOf(int category) => RequireObject(category) % 10;

    /// <summary>The category of a source dataset's label.</summary>
    public static int CategoryOf(string dataset, long label) => dataset switch
    {
        "fashion-mnist" when label is >= 0 and < 10 => (int)label,
        "mnist10k" when label is >= 0 and < 10 => 10 + (int)label,
        _ => throw new ArgumentException($"No scene category for dataset '{dataset}' label {label}; expected fashion-mnist or mnist10k with labels 0..9."),
    };

    /// <summary>The caption word of a category (0..19) or <see cref="EmptyWord"/> for <see cref="Empty"/>.</summary>
    public static string WordOf(int category) => category == Empty ? EmptyWord : _objectWords[RequireObject(category)];

    /// <summary>The category of an object word, or a clear error naming the word and the object vocabulary.</summary>
    public static int CategoryOfWord(string word)
    {
        var index = Array.IndexOf(_objectWords, word);
        if (index < 0)
        {
            throw new ArgumentException($"'{word}' is not an object word of the scene vocabulary. Object words: {string.Join(", ", _objectWords)}.");
        }

        return index;
    }

    /// <summary>The caption phrase of a cell, e.g. "top left".</summary>
    public static string PhraseOf(GridCell cell) => _cellPhrases[(int)cell];

    private static int RequireObject(int category) =>
        category is >= 0 and < ObjectCategoryCount
            ? category
            : throw new ArgumentOutOfRangeException(nameof(category), category, $"Object categories are 0..{ObjectCategoryCount - 1}.");
}
