namespace CdmNotebooks.Composition;

/// <summary>The one spelling of each <see cref="RouterKind"/>, used by manifests, the CLI, result rows, file names and chart legends.</summary>
public static class RouterKindNames
{
    /// <summary>Every router kind, in the order tables and figures list them.</summary>
    public static IReadOnlyList<RouterKind> All { get; } =
        [RouterKind.Naive, RouterKind.Classifier, RouterKind.Compartmentalized, RouterKind.Ito, RouterKind.RandomPick];

    /// <summary>The names of <see cref="All"/>, comma-separated, for help texts and error messages.</summary>
    public static string AllNames { get; } = string.Join(", ", All.Select(Name));

    /// <summary>The name of <paramref name="kind"/>: naive, classifier, compartmentalized, ito or random-pick.</summary>
    public static string Name(this RouterKind kind) => kind switch
    {
        RouterKind.Naive => "naive",
        RouterKind.Classifier => "classifier",
        RouterKind.Compartmentalized => "compartmentalized",
        RouterKind.Ito => "ito",
        RouterKind.RandomPick => "random-pick",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown router kind."),
    };

    /// <summary>The kind named <paramref name="name"/>; an unknown name is refused with the list of names.</summary>
    public static RouterKind Parse(string name)
    {
        foreach (var kind in All)
        {
            if (string.Equals(kind.Name(), name, StringComparison.Ordinal))
            {
                return kind;
            }
        }

        throw new ArgumentException($"Unknown router kind '{name}'. Use one of: {AllNames}.", nameof(name));
    }

    /// <summary>Whether <paramref name="kind"/> has trained weights (and therefore a registered version and a lineage to check).</summary>
    public static bool IsTrained(this RouterKind kind) => kind is RouterKind.Classifier or RouterKind.Compartmentalized;
}
