using CdmNotebooks.Composition;
using CdmNotebooks.Composition.Registry;
using CdmNotebooks.Data;
using CdmNotebooks.Protection;

namespace CdmNotebooks.Experiments;

/// <summary>
/// An experiment's shard store over one split, built as a researcher builds one with `cdm`: every shard added through
/// <see cref="DataProtection.AddShard"/> (trained, or reused from the model cache, at compute parity in the run's regime), then the
/// requested trained routers through <see cref="DataProtection.AddRouter"/>; every composition opens through <see cref="RegistryComposer"/>.
/// </summary>
public sealed class SplitStore
{
    /// <summary>The actor experiments record in the audit log.</summary>
    public const string Actor = "experiment";

    private readonly CdmPipeline _pipeline;

    private SplitStore(CdmPipeline pipeline, ShardSplit split, ShardStore store, ShardTrainer shards, RouterMaintainer routers)
    {
        _pipeline = pipeline;
        Split = split;
        Store = store;
        Shards = shards;
        Routers = routers;
    }

    /// <summary>The split whose shards the store holds.</summary>
    public ShardSplit Split { get; }

    /// <summary>The registry-backed store.</summary>
    public ShardStore Store { get; }

    /// <summary>The registry.</summary>
    public ShardRegistry Registry => Store.Registry;

    /// <summary>Every shard training the store requested (cached ones carry their measured train time).</summary>
    public ShardTrainer Shards { get; }

    /// <summary>Every router part training the store requested.</summary>
    public RouterMaintainer Routers { get; }

    /// <summary>The registry name of shard <paramref name="shard"/> of <paramref name="split"/>.</summary>
    public static string ShardName(ShardSplit split, int shard) => ShardTrainer.ShardName(split, shard);

    /// <summary>The registry name of the router of <paramref name="kind"/> over <paramref name="split"/>.</summary>
    public static string RouterName(ShardSplit split, RouterKind kind) => $"{split.Name}.{kind.Name()}";

    /// <summary>
    /// Creates a fresh registry in <paramref name="root"/> (replacing what is there: a run starts from its initial composition) holding the
    /// first <paramref name="shards"/> shards of <paramref name="split"/> (all when null) and a router of each kind in <paramref name="trainedRouters"/>.
    /// </summary>
    public static SplitStore Create(
        CdmPipeline pipeline, ShardSplit split, string root, IEnumerable<RouterKind>? trainedRouters = null, TrainingRegime? regime = null, int? shards = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(split);
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }

        var trainer = new ShardTrainer(pipeline, regime, splits: split);
        var scale = pipeline.Scale;
        var routers = new RouterMaintainer(pipeline.Train(split.Dataset), pipeline.Test(split.Dataset), pipeline.Run.Seed, scale.Paragon.CreateSchedule(), scale.Router,
            scale.RouterTraining, cacheRoot: Path.Combine(Path.GetDirectoryName(pipeline.Run.Models.Root)!, "routers"), log: pipeline.Run.Log);
        var store = new SplitStore(pipeline, split, new ShardStore(new ShardRegistry(root), trainer, routers), trainer, routers);
        if (regime is { HasBase: true })
        {
            // The lineage check follows every fine-tuned shard to its base and verifies the base's IDs against the forgotten ones.
            store.Registry.StoreIds(pipeline.Train(regime.BaseDataset!).Ids);
        }

        for (var s = 0; s < (shards ?? split.ShardCount); s++)
        {
            store.AddShard(s);
        }

        foreach (var kind in trainedRouters ?? [])
        {
            store.Store.AddRouter(Actor, RouterName(split, kind), kind, pipeline.Run.Cancellation);
        }

        return store;
    }

    /// <summary>Adds shard <paramref name="shard"/> of the split (continual learning: routers are updated per their kind).</summary>
    public ProtectionReport AddShard(int shard) =>
        Store.AddShard(Actor, ShardName(Split, shard), Split.Name, shard, Split.IdsOfShard(shard), _pipeline.Run.Cancellation);

    /// <summary>
    /// Composes every active shard under the router of <paramref name="kind"/>; options default per kind (<see cref="RegistryComposer.DefaultOptions"/>).
    /// Under the naive-router mutation every router is naive averaging, which the verdicts must catch.
    /// </summary>
    public ComposedModel Compose(RouterKind kind, CompositionOptions? options = null)
    {
        var composed = _pipeline.Run.Mutation == ExperimentMutation.NaiveRouter ? RouterKind.Naive : kind;
        return Store.Compose(new CompositionRequest
        {
            RouterKind = composed,
            Router = composed.IsTrained() ? RouterName(Split, composed) : null,
            Seed = _pipeline.Run.Seed * 1000L + 13,
            Options = options ?? RegistryComposer.DefaultOptions(kind),
        });
    }
}
