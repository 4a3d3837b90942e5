namespace CdmNotebooks.Protection;

/// <summary>Trains one shard model on exactly the given sample IDs (supplied by the caller: the diffusion trainer in practice, a closed form in tests).</summary>
public interface IShardTrainer
{
    /// <summary>Trains on <paramref name="sampleIds"/> and writes the checkpoint to <paramref name="checkpointPath"/>; returns what the manifest records.</summary>
    ShardTrainingOutcome Train(string shardName, IReadOnlyList<string> sampleIds, string checkpointPath, CancellationToken cancellationToken);
}
