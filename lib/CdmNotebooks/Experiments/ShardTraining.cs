namespace CdmNotebooks.Experiments;

/// <summary>One shard training requested by the registry: which shard, how many of its split IDs were left out, and the cached model (with its measured train time).</summary>
public sealed record ShardTraining(string ShardName, int ExcludedCount, TrainedModel Model);
