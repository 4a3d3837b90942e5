using System.Text.Json;

namespace CdmNotebooks.Protection;

/// <summary>What a shard trainer reports back: its configuration (saved in the manifest) and the class counts of the data it saw.</summary>
public sealed record ShardTrainingOutcome(JsonElement? Config, IReadOnlyList<int> ClassCounts);
