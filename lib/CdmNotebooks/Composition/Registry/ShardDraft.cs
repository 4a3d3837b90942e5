using System.Text.Json;

namespace CdmNotebooks.Composition.Registry;

/// <summary>What a caller provides to stage a new shard version; the registry fills in version, identity, time and checkpoint hash.</summary>
/// <param name="Name">Shard name.</param>
/// <param name="Split">Split manifest name.</param>
/// <param name="ShardIndex">Index inside the split.</param>
/// <param name="SampleIds">The exact training sample IDs.</param>
/// <param name="ClassCounts">Samples per class label (index = label); empty if unlabeled.</param>
/// <param name="Config">Training configuration to save with the weights.</param>
/// <param name="Parents">Versions this one derives from.</param>
/// <param name="Reason">Why it is created.</param>
public sealed record ShardDraft(
    string Name,
    string Split,
    int ShardIndex,
    IReadOnlyList<string> SampleIds,
    IReadOnlyList<int> ClassCounts,
    JsonElement? Config,
    IReadOnlyList<string> Parents,
    string Reason);
