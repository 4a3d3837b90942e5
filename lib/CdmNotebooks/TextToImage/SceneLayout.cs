namespace CdmNotebooks.TextToImage;

/// <summary>What a caption says: one to three objects in distinct cells of the 2x2 grid, kept in reading order; converts to and from caption text.</summary>
public sealed class SceneLayout : IEquatable<SceneLayout>
{
    /// <summary>Most objects a scene holds.</summary>
    public const int MaxObjects = 3;

    private readonly PlacedObject[] _objects;

    /// <summary>Creates a layout; objects are sorted into reading order; an empty layout, more than three objects, a shared cell or a bad category is an error.</summary>
    public SceneLayout(IEnumerable<PlacedObject> objects)
    {
        ArgumentNullException.ThrowIfNull(objects);
        _objects = objects.OrderBy(o => o.Cell).ToArray();
        if (_objects.Length is < 1 or > MaxObjects)
        {
            throw new ArgumentException($"A scene holds 1 to {MaxObjects} objects; got {_objects.Length}.", nameof(objects));
        }

        for (var i = 0; i < _objects.Length; i++)
        {
            if (_objects[i].Category is < 0 or >= SceneVocabulary.ObjectCategoryCount || !Enum.IsDefined(_objects[i].Cell))
            {
                throw new ArgumentException($"Object {i} has category {_objects[i].Category} and cell {_objects[i].Cell}; categories are 0..19 and cells the four of GridCell.", nameof(objects));
            }

            if (i > 0 && _objects[i].Cell == _objects[i - 1].Cell)
            {
                throw new ArgumentException($"Two objects share the cell {SceneVocabulary.PhraseOf(_objects[i].Cell)}; a cell holds at most one object.", nameof(objects));
            }
        }

        Caption = string.Join(" and ", _objects.Select(o => $"a {SceneVocabulary.WordOf(o.Category)} {SceneVocabulary.PhraseOf(o.Cell)}"));
    }

    /// <summary>The objects in reading order of their cells.</summary>
    public IReadOnlyList<PlacedObject> Objects => _objects;

    /// <summary>The caption, e.g. "a sneaker top left and a 7 bottom right".</summary>
    public string Caption { get; }

    /// <summary>The category in <paramref name="cell"/>, or <see cref="SceneVocabulary.Empty"/>.</summary>
    public int CategoryAt(GridCell cell)
    {
        foreach (var o in _objects)
        {
            if (o.Cell == cell)
            {
                return o.Category;
            }
        }

        return SceneVocabulary.Empty;
    }

    /// <summary>Parses a caption of the grammar in <see cref="SceneVocabulary.Grammar"/>; any deviation is an error naming the word and position.</summary>
    public static SceneLayout Parse(string caption)
    {
        ArgumentNullException.ThrowIfNull(caption);
        var words = caption.Split(' ');
        var objects = new List<PlacedObject>();
        var i = 0;
        while (true)
        {
            Expect(caption, words, i, "a");
            if (i + 3 >= words.Length)
            {
                throw Malformed(caption, $"an object needs 'a WORD ROW COLUMN' but the caption ends after word {words.Length}");
            }

            var category = SceneVocabulary.ObjectWords.ToList().IndexOf(words[i + 1]);
            if (category < 0)
            {
                throw Malformed(caption, $"word {i + 2} '{words[i + 1]}' is not an object word ({string.Join(", ", SceneVocabulary.ObjectWords)})");
            }

            var phrase = $"{words[i + 2]} {words[i + 3]}";
            var cell = SceneVocabulary.CellPhrases.ToList().IndexOf(phrase);
            if (cell < 0)
            {
                throw Malformed(caption, $"words {i + 3}-{i + 4} '{phrase}' are not a cell ({string.Join(", ", SceneVocabulary.CellPhrases)})");
            }

            objects.Add(new PlacedObject(category, (GridCell)cell));
            i += 4;
            if (i == words.Length)
            {
                break;
            }

            Expect(caption, words, i, "and");
            i++;
        }

        var layout = new SceneLayout(objects);
        if (layout.Caption != caption)
        {
            throw Malformed(caption, $"objects must appear in reading order of their cells; the canonical caption is '{layout.Caption}'");
        }

        return layout;
    }

    /// <inheritdoc />
    public bool Equals(SceneLayout? other) => other is not null && other.Caption == Caption;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as SceneLayout);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Caption);

    /// <inheritdoc />
    public override string ToString() => Caption;

    private static void Expect(string caption, string[] words, int i, string expected)
    {
        if (i >= words.Length || words[i] != expected)
        {
            throw Malformed(caption, $"word {i + 1} should be '{expected}' but is '{(i < words.Length ? words[i] : "<end>")}'");
        }
    }

    private static FormatException Malformed(string caption, string problem) =>
        new($"Caption '{caption}' does not follow the scene grammar: {problem}. Grammar: {SceneVocabulary.Grammar}");
}
