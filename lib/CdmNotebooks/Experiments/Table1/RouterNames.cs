namespace CdmNotebooks.Experiments.Table1;

/// <summary>The short names router kinds carry in result tables and figure legends (naive, classifier, compartmentalized, ito).</summary>
public static class RouterNames
{
    /// <summary>Every router kind, in the order tables and figures list them.</summary>
    public static IReadOnlyList<RouterKind> All { get; } =
        new[] { RouterKind.Naive, RouterKind.Classifier, RouterKind.Compartmentalized, RouterKind.ItoDensity };

    /// <summary>The baselines that cost one model per step and that every posterior-weight router must match: random pick (a router) and the model soup (fine-tuned regimes only).</summary>
    public static IReadOnlyList<string> OneModelBaselines { get; } = ["random-pick", "soup"];

    /// <summary>The table name of <paramref name="kind"/>.</summary>
    public static string Of(RouterKind kind) => kind switch
    {
        RouterKind.Naive => "naive",
        RouterKind.Classifier => "classifier",
        RouterKind.Compartmentalized => "compartmentalized",
        RouterKind.ItoDensity => "ito",
        RouterKind.RandomPick => "random-pick",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown router kind."),
    };

    /// <summary>The kind whose table name is <paramref name="name"/>.</summary>
    public static RouterKind Parse(string name) =>
        Enum.GetValues<RouterKind>().Where(k => Of(k) == name).Select(k => (RouterKind?)k).FirstOrDefault()
        ?? throw new ArgumentException($"Unknown router '{name}'; expected one of: {string.Join(", ", Enum.GetValues<RouterKind>().Select(Of))}.", nameof(name));
}
