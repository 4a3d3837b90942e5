namespace CdmNotebooks.Experiments.Table1;

/// <summary>The short names router kinds carry in result tables and figure legends (naive, classifier, compartmentalized, ito).</summary>
public static class RouterNames
{
    /// <summary>Every router kind, in the order tables and figures list them.</summary>
    public static IReadOnlyList<RouterKind> All { get; } =
        new[] { RouterKind.Naive, RouterKind.Classifier, RouterKind.Compartmentalized, RouterKind.ItoDensity };

    /// <summary>The table name of <paramref name="kind"/>.</summary>
    public static string Of(RouterKind kind) => kind switch
    {
        RouterKind.Naive => "naive",
        RouterKind.Classifier => "classifier",
        RouterKind.Compartmentalized => "compartmentalized",
        RouterKind.ItoDensity => "ito",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown router kind."),
    };
}
