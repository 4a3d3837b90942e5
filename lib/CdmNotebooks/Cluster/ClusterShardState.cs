namespace CdmNotebooks.Cluster;

/// <summary>Where one shard of a submission stands, read from the registry first and from Slurm second.</summary>
public enum ClusterShardState
{
    /// <summary>Active in the registry with the split's data identity for that shard: done.</summary>
    Registered,

    /// <summary>Its task waits in the queue.</summary>
    Pending,

    /// <summary>Its task runs (or is being requeued).</summary>
    Running,

    /// <summary>Its task ended without registering the shard.</summary>
    Failed,

    /// <summary>Not registered, and Slurm no longer holds its task (it ended more than MinJobAge ago): read its log.</summary>
    Unknown,

    /// <summary>A shard of that name is active with other data: the split changed, or another writer used the name.</summary>
    Conflict,
}
