namespace CdmNotebooks.Data;

/// <summary>The canonical splits the experiments use, and regeneration of any committed split from its recorded seed.</summary>
public static class SplitCatalog
{
    /// <summary>(dataset, scheme, shards) of the committed canonical splits, all with <see cref="ShardSplit.DefaultSeed"/>.</summary>
    public static IReadOnlyList<(string Dataset, SplitScheme Scheme, int Shards)> Canonical { get; } = new[]
    {
        ("fashion-mnist", SplitScheme.Uniform, 8),
        ("fashion-mnist", SplitScheme.ByClass, 8),
        ("mnist10k", SplitScheme.Uniform, 8),
        ("mnist10k", SplitScheme.ByClass, 8),
        ("union", SplitScheme.ByDomain, 2),
        (DatasetCatalog.PrivatePart, SplitScheme.Uniform, 8),
        (DatasetCatalog.PrivatePart, SplitScheme.ByClass, 8),
    };

    /// <summary>Creates a split of the training part of <paramref name="dataset"/>.</summary>
    public static ShardSplit Create(string dataset, SplitScheme scheme, int shards, int seed = ShardSplit.DefaultSeed, DataLocations? locations = null)
    {
        using var train = DatasetCatalog.Load(dataset, "train", locations);
        return ShardSplit.Create(train, scheme, shards, seed);
    }

    /// <summary>Loads split <paramref name="name"/> if committed, else creates it from a conventional name (DATASET-SCHEME-N[-sSEED]) without saving.</summary>
    public static ShardSplit LoadOrCreate(string name, DataLocations? locations = null)
    {
        var directory = Path.Combine(locations?.ManifestsDirectory ?? RepositoryPaths.Manifests, "splits");
        if (File.Exists(Path.Combine(directory, name + ".summary.json")))
        {
            return ShardSplit.Load(name, locations?.ManifestsDirectory);
        }

        var (dataset, scheme, shards, seed) = ParseName(name);
        return Create(dataset, scheme, shards, seed, locations);
    }

    /// <summary>Parses a conventional split name such as <c>fashion-mnist-by-class-8</c> or <c>mnist10k-dirichlet0.5-4-s7</c>.</summary>
    public static (string Dataset, SplitScheme Scheme, int Shards, int Seed) ParseName(string name)
    {
        // Longest name first: fashion-mnist-private-uniform-8 is a split of fashion-mnist-private, not of fashion-mnist.
        var dataset = DatasetCatalog.Names.OrderByDescending(d => d.Length).FirstOrDefault(d => name.StartsWith(d + "-", StringComparison.Ordinal))
                      ?? throw new FormatException($"Split name '{name}' does not start with a dataset name ({string.Join(", ", DatasetCatalog.Names)}).");
        var rest = name[(dataset.Length + 1)..].Split('-').ToList();
        var seed = ShardSplit.DefaultSeed;
        if (rest.Count > 2 && rest[^1].StartsWith('s') && int.TryParse(rest[^1][1..], out var s))
        {
            seed = s;
            rest.RemoveAt(rest.Count - 1);
        }

        if (rest.Count < 2 || !int.TryParse(rest[^1], out var shards))
        {
            throw new FormatException($"Split name '{name}' should look like DATASET-SCHEME-N[-sSEED], e.g. fashion-mnist-uniform-8.");
        }

        var token = string.Join('-', rest.Take(rest.Count - 1));
        var scheme = token.StartsWith("dirichlet", StringComparison.Ordinal) ? SplitScheme.Parse("dirichlet:" + token["dirichlet".Length..]) : SplitScheme.Parse(token);
        return (dataset, scheme, shards, seed);
    }

    /// <summary>Regenerates the committed split <paramref name="name"/> from its summary's dataset, scheme, shard count and seed and reports whether the CSV is byte-identical.</summary>
    public static bool RegeneratesIdentically(string name, DataLocations? locations = null)
    {
        var committed = ShardSplit.Load(name, locations?.ManifestsDirectory);
        var csvPath = Path.Combine(locations?.ManifestsDirectory ?? RepositoryPaths.Manifests, "splits", name + ".csv");
        using var train = DatasetCatalog.Load(committed.Dataset, "train", locations);
        var regenerated = ShardSplit.Create(train, committed.Scheme, committed.ShardCount, committed.Seed, name);
        return regenerated.CsvBytes().AsSpan().SequenceEqual(File.ReadAllBytes(csvPath));
    }
}
