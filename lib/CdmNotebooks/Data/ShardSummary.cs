namespace CdmNotebooks.Data;

/// <summary>One shard of a split summary.</summary>
public sealed record ShardSummary(int Shard, int Count, IReadOnlyList<int> ClassCounts, string DataIdentity);
