using System.Text.Json;
using CdmNotebooks.Composition;

namespace CdmNotebooks.Protection;

/// <summary>Trains the registry's router networks from sample IDs, so forgetting and continual learning can update routers per their kind.</summary>
public interface IRouterMaintainer
{
    /// <summary>The sample IDs of the shared public reference set that density-ratio heads are trained against.</summary>
    IReadOnlyList<string> ReferenceIds { get; }

    /// <summary>The network configuration to record for a router of <paramref name="kind"/> over <paramref name="shards"/> shards.</summary>
    JsonElement Config(RouterKind kind, int shards);

    /// <summary>Trains a classifier over shards given by their training IDs (output i = shard i) and saves it to <paramref name="path"/>.</summary>
    void TrainClassifier(IReadOnlyList<IReadOnlyList<string>> shardIds, string path, CancellationToken cancellationToken);

    /// <summary>Trains one density-ratio head for a shard against <paramref name="referenceIds"/> and saves it to <paramref name="path"/>.</summary>
    void TrainHead(IReadOnlyList<string> shardIds, IReadOnlyList<string> referenceIds, string path, CancellationToken cancellationToken);
}
