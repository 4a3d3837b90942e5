using System.Text.Json;

namespace CdmNotebooks.Composition.Registry;

/// <summary>Immutable description of one version of a trained router: which shards it weighs, its weight files and the data it saw.</summary>
/// <param name="Name">Router name, e.g. <c>fashion-mnist-by-class-8.classifier</c>.</param>
/// <param name="Version">1, 2, ... in creation order.</param>
/// <param name="Kind">Router kind (stored as its name, <see cref="RouterKindNames"/>).</param>
/// <param name="ShardNames">The shards whose weights it predicts, in output order.</param>
/// <param name="Parts">Weight files; a compartmentalized router has one part per shard, a classifier one part for all.</param>
/// <param name="Config">The router's network and training configuration.</param>
/// <param name="Parents">Earlier versions this one derives from (<c>name@vN</c>).</param>
/// <param name="Reason">Why this version exists.</param>
/// <param name="CreatedUtc">Creation time.</param>
public sealed record RouterManifest(
    string Name,
    int Version,
    RouterKind Kind,
    IReadOnlyList<string> ShardNames,
    IReadOnlyList<RouterPart> Parts,
    JsonElement? Config,
    IReadOnlyList<string> Parents,
    string Reason,
    DateTimeOffset CreatedUtc)
{
    /// <summary><c>name@vN</c>.</summary>
    public string Key => ComponentKey.Of(Name, Version);

    /// <summary>Every data identity any part was trained on (the router's lineage).</summary>
    public IEnumerable<string> TrainedOnIdentities => Parts.SelectMany(p => p.TrainedOnIdentities).Distinct(StringComparer.Ordinal);
}
