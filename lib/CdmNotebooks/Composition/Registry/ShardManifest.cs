using System.Text.Json;

namespace CdmNotebooks.Composition.Registry;

/// <summary>Immutable description of one version of a shard model: what data it saw, how it was trained, where its weights are.</summary>
/// <param name="Name">Stable shard name, e.g. <c>fashion-mnist-by-class-8.s3</c>; versions of one shard share it.</param>
/// <param name="Version">1, 2, ... in creation order.</param>
/// <param name="Split">The split manifest the shard came from.</param>
/// <param name="ShardIndex">Index of the shard inside <paramref name="Split"/>.</param>
/// <param name="DataIdentity">sha256 of the sorted training sample IDs (see <c>CdmNotebooks.Data.DataIdentity</c>); the IDs are stored in the registry under this name.</param>
/// <param name="SampleCount">Number of training samples.</param>
/// <param name="ClassCounts">Training samples per class label (index = label), used for class-conditional shard priors; empty when unlabeled.</param>
/// <param name="Config">The training configuration saved with the weights (opaque to the registry).</param>
/// <param name="Parents">Components this version derives from, as <c>name@vN</c> (empty for a first version).</param>
/// <param name="Reason">Why this version exists, e.g. <c>initial</c> or <c>forget 10 IDs</c>.</param>
/// <param name="CreatedUtc">Creation time.</param>
/// <param name="CheckpointFile">Checkpoint path relative to the registry root.</param>
/// <param name="CheckpointSha256">sha256 of the checkpoint bytes, verified when the shard is opened.</param>
public sealed record ShardManifest(
    string Name,
    int Version,
    string Split,
    int ShardIndex,
    string DataIdentity,
    int SampleCount,
    IReadOnlyList<int> ClassCounts,
    JsonElement? Config,
    IReadOnlyList<string> Parents,
    string Reason,
    DateTimeOffset CreatedUtc,
    string CheckpointFile,
    string CheckpointSha256)
{
    /// <summary><c>name@vN</c>, the key used in lineage and audit records.</summary>
    public string Key => ComponentKey.Of(Name, Version);
}
