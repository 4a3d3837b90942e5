using CdmNotebooks.Composition;
using CdmNotebooks.Composition.Registry;
using CdmNotebooks.Data;

namespace CdmNotebooks.Experiments.Forgetting;

/// <summary>Builds a fresh shard registry holding every shard of a split (version 1) and the requested trained routers, from the pipeline's cached models.</summary>
public static class SplitRegistry
{
    /// <summary>The registry name of the router of <paramref name="kind"/> over <paramref name="split"/>.</summary>
    public static string RouterName(ShardSplit split, RouterKind kind) => $"{split.Name}.{kind.Name()}";

    /// <summary>Creates the registry in <paramref name="root"/> (replacing what is there: a run always starts from the initial composition).</summary>
    public static ShardRegistry Build(
        string root, ShardSplit split, PipelineShardTrainer trainer, PipelineRouterMaintainer routers, IReadOnlyList<RouterKind> trainedRouterKinds, CancellationToken cancellationToken)
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        var registry = new ShardRegistry(root);
        var index = registry.ReadIndex();
        var shards = Enumerable.Range(0, split.ShardCount).Select(s =>
        {
            var draft = new ShardDraft(PipelineShardTrainer.ShardName(split, s), split.Name, s, split.IdsOfShard(s), [], null, [], "initial");
            return registry.StageShard(draft, path =>
            {
                var outcome = trainer.Train(draft.Name, draft.SampleIds, path, cancellationToken);
                return draft with { Config = outcome.Config, ClassCounts = outcome.ClassCounts };
            });
        }).ToList();

        var names = shards.Select(s => s.Name).ToList();
        var staged = new List<RouterManifest>();
        foreach (var kind in trainedRouterKinds)
        {
            IReadOnlyList<RouterPartSource> parts;
            if (kind == RouterKind.Classifier)
            {
                var identities = shards.Select(s => s.DataIdentity).ToList();
                parts = [RouterPartSource.New(null, identities, path => routers.TrainClassifier(identities.Select(registry.IdsOf).ToList(), path, cancellationToken))];
            }
            else if (kind == RouterKind.Compartmentalized)
            {
                var reference = registry.StoreIds(routers.ReferenceIds);
                parts = shards.Select(s => RouterPartSource.New(s.Name, [s.DataIdentity, reference],
                    path => routers.TrainHead(registry.IdsOf(s.DataIdentity), routers.ReferenceIds, path, cancellationToken))).ToList();
            }
            else
            {
                throw new ArgumentException($"Router kind '{kind.Name()}' has no trained weights to register; compose with it directly.", nameof(trainedRouterKinds));
            }

            staged.Add(registry.StageRouter(RouterName(split, kind), kind, names, parts, routers.Config(kind, names.Count), [], "initial"));
        }

        registry.Commit(new RegistryChange { Base = index, ActivateShards = shards, ActivateRouters = staged });
        return registry;
    }
}
