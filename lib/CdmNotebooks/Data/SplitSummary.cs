namespace CdmNotebooks.Data;

/// <summary>The JSON summary of a split: what generated it and, per shard, counts per class and the data identity.</summary>
public sealed record SplitSummary(
    string Name, string Dataset, string Part, string Scheme, int ShardCount, int Seed, string Generator,
    int SampleCount, string CsvSha256, IReadOnlyList<ShardSummary> Shards);

