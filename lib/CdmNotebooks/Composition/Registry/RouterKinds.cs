namespace CdmNotebooks.Composition.Registry;

/// <summary>Names of the router kinds, as stored in manifests and accepted by the CLI.</summary>
public static class RouterKinds
{
    /// <summary>w = lambda (no network, the baseline).</summary>
    public const string Naive = "naive";

    /// <summary>One time-conditioned classifier over all shards (the paper's router).</summary>
    public const string Classifier = "classifier";

    /// <summary>One density-ratio head per shard against a shared public reference set.</summary>
    public const string Compartmentalized = "compartmentalized";

    /// <summary>Training-free Ito density weights along the stochastic sampling path.</summary>
    public const string Ito = "ito";

    /// <summary>Each sample draws one shard from the priors at the start of its path (the random-pick baseline; one shard per sample).</summary>
    public const string RandomPick = "random-pick";

    /// <summary>All kinds.</summary>
    public static IReadOnlyList<string> All { get; } = [Naive, Classifier, Compartmentalized, Ito, RandomPick];

    /// <summary>Whether the kind has trained weights (and therefore a lineage to check).</summary>
    public static bool IsTrained(string kind) => kind is Classifier or Compartmentalized;

    /// <summary>Throws a clear error for an unknown kind.</summary>
    public static string Validate(string kind) =>
        All.Contains(kind)
            ? kind
            : throw new ArgumentException($"Unknown router kind '{kind}'. Use one of: {string.Join(", ", All)}.", nameof(kind));
}
