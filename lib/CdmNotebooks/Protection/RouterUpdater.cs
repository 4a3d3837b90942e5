using System.Diagnostics;
using CdmNotebooks.Composition;
using CdmNotebooks.Composition.Registry;

namespace CdmNotebooks.Protection;

/// <summary>
/// The one rule for what a trained router holds and trains on (per <see cref="RouterRecipe"/>): creates a router over the active shards, and
/// brings every active router in line with a new shard set, per its kind: a classifier retrains over all shards, a compartmentalized router
/// retrains only heads whose lineage changed.
/// </summary>
/// <remarks>Naive and Ito routers have nothing trained and cost nothing to update, so they never appear here.</remarks>
internal sealed class RouterUpdater
{
    private readonly ShardRegistry _registry;
    private readonly IRouterMaintainer? _maintainer;
    private readonly Dictionary<string, IReadOnlyList<string>> _idCache = new(StringComparer.Ordinal);

    public RouterUpdater(ShardRegistry registry, IRouterMaintainer? maintainer)
    {
        _registry = registry;
        _maintainer = maintainer;
    }

    /// <summary>Stages a new router <paramref name="name"/> of <paramref name="kind"/> over every shard active in <paramref name="index"/> (replacing the active router of that name, if any).</summary>
    public (RouterManifest Staged, string Change, ComponentTiming Timing) Create(RegistryIndex index, string name, RouterKind kind, string reason, CancellationToken cancellationToken)
    {
        if (!kind.IsTrained())
        {
            throw new ArgumentException(
                $"Router kind '{kind.Name()}' has nothing to train; only {RouterKind.Classifier.Name()} and {RouterKind.Compartmentalized.Name()} routers are registered.", nameof(kind));
        }

        var shards = _registry.ActiveShards(index).ToDictionary(s => s.Name, StringComparer.Ordinal);
        var names = shards.Keys.Order(StringComparer.Ordinal).ToList();
        var minimum = kind == RouterKind.Classifier ? 2 : 1;
        if (names.Count < minimum)
        {
            throw new InvalidOperationException(
                $"A {kind.Name()} router needs at least {minimum} active shard(s); the registry at '{_registry.Root}' has {names.Count}. Add shards first (cdm shard add).");
        }

        var clock = Stopwatch.StartNew();
        var previous = _registry.ActiveRouters(index).FirstOrDefault(r => r.Name == name);
        var reference = Reference(index, new HashSet<string>(StringComparer.Ordinal));
        var sources = kind == RouterKind.Classifier
            ? ClassifierParts(null, names, shards, new HashSet<string>(StringComparer.Ordinal), cancellationToken)!
            : HeadParts(null, names, shards, new HashSet<string>(StringComparer.Ordinal), reference, cancellationToken)!;
        var manifest = _registry.StageRouter(name, kind, names, sources, RequireMaintainer(name, kind).Config(kind, names.Count),
            previous is null ? [] : [previous.Key], reason);
        return (manifest, $"{previous?.Key ?? "(new)"} -> {manifest.Key}",
            new ComponentTiming($"router {name}", kind == RouterKind.Classifier ? $"trained over {names.Count} shards" : $"trained {names.Count} heads", clock.Elapsed.TotalSeconds));
    }

    /// <summary>Stages versions of the routers active in <paramref name="index"/> for the shard set <paramref name="shards"/> (name to its new manifest; a missing name was removed, a new name appended).</summary>
    public (List<RouterManifest> Staged, List<string> Retired, List<string> Changes, List<ComponentTiming> Timings) Update(
        RegistryIndex index, IReadOnlyDictionary<string, ShardManifest> shards, IReadOnlySet<string> forgotten, string reason, CancellationToken cancellationToken)
    {
        var staged = new List<RouterManifest>();
        var retired = new List<string>();
        var changes = new List<string>();
        var timings = new List<ComponentTiming>();
        var reference = Reference(index, forgotten);
        foreach (var router in _registry.ActiveRouters(index))
        {
            var clock = Stopwatch.StartNew();
            var names = router.ShardNames.Where(shards.ContainsKey).Concat(shards.Keys.Where(n => !router.ShardNames.Contains(n)).Order(StringComparer.Ordinal)).ToList();
            var sources = router.Kind == RouterKind.Classifier
                ? ClassifierParts(router, names, shards, forgotten, cancellationToken)
                : HeadParts(router, names, shards, forgotten, reference, cancellationToken);
            if (sources is null)
            {
                timings.Add(new ComponentTiming($"router {router.Name}", "kept", clock.Elapsed.TotalSeconds));
                continue;
            }

            if (names.Count < (router.Kind == RouterKind.Classifier ? 2 : 1))
            {
                retired.Add(router.Name);
                changes.Add($"{router.Key} -> retired");
                timings.Add(new ComponentTiming($"router {router.Name}", "retired (too few shards)", clock.Elapsed.TotalSeconds));
                continue;
            }

            var config = RequireMaintainer(router.Name, router.Kind).Config(router.Kind, names.Count);
            var manifest = _registry.StageRouter(router.Name, router.Kind, names, sources, config, [router.Key], reason);
            staged.Add(manifest);
            changes.Add($"{router.Key} -> {manifest.Key}");
            var retrainedHeads = sources.Count(s => s.Reuse is null);
            timings.Add(new ComponentTiming(
                $"router {router.Name}",
                router.Kind == RouterKind.Classifier ? $"retrained over {names.Count} shards" : $"retrained {retrainedHeads} of {names.Count} heads",
                clock.Elapsed.TotalSeconds));
        }

        return (staged, retired, changes, timings);
    }

    // Every ID the registry ever forgot stays out of a new head's reference set, not only this request's.
    private List<string>? Reference(RegistryIndex index, IReadOnlySet<string> forgotten)
    {
        var excluded = forgotten.Concat(index.ForgottenIds).ToHashSet(StringComparer.Ordinal);
        return _maintainer?.ReferenceIds.Where(id => !excluded.Contains(id)).ToList();
    }

    // A null router: a new one, so every part is trained.
    private List<RouterPartSource>? ClassifierParts(
        RouterManifest? router, List<string> names, IReadOnlyDictionary<string, ShardManifest> shards, IReadOnlySet<string> forgotten, CancellationToken cancellationToken)
    {
        var unchanged = router is not null
            && names.SequenceEqual(router.ShardNames)
            && names.Select(n => shards[n].DataIdentity).ToHashSet().SetEquals(router.Parts.Single().TrainedOnIdentities)
            && !Touches(router.Parts.Single(), forgotten);
        if (unchanged)
        {
            return null;
        }

        var maintainer = RequireMaintainer(router?.Name, RouterKind.Classifier);
        var identities = names.Select(n => shards[n].DataIdentity).ToList();
        var ids = identities.Select(IdsOf).ToList();
        return [RouterPartSource.New(null, identities, path => maintainer.TrainClassifier(ids, path, cancellationToken))];
    }

    private List<RouterPartSource>? HeadParts(
        RouterManifest? router, List<string> names, IReadOnlyDictionary<string, ShardManifest> shards, IReadOnlySet<string> forgotten,
        List<string>? reference, CancellationToken cancellationToken)
    {
        var sources = new List<RouterPartSource>();
        var anyNew = false;
        foreach (var name in names)
        {
            var existing = router?.Parts.FirstOrDefault(p => p.ShardName == name);
            if (existing is not null && existing.TrainedOnIdentities.Contains(shards[name].DataIdentity) && !Touches(existing, forgotten))
            {
                sources.Add(RouterPartSource.Keep(existing));
                continue;
            }

            var maintainer = RequireMaintainer(router?.Name, RouterKind.Compartmentalized);
            var referenceIdentity = _registry.StoreIds(reference!);
            var shardIds = IdsOf(shards[name].DataIdentity);
            sources.Add(RouterPartSource.New(name, [shards[name].DataIdentity, referenceIdentity],
                path => maintainer.TrainHead(shardIds, reference!, path, cancellationToken)));
            anyNew = true;
        }

        return anyNew || router is null || !names.SequenceEqual(router.ShardNames) ? sources : null;
    }

    private bool Touches(RouterPart part, IReadOnlySet<string> forgotten) =>
        forgotten.Count > 0 && part.TrainedOnIdentities.Any(identity => IdsOf(identity).Any(forgotten.Contains));

    private IReadOnlyList<string> IdsOf(string identity)
    {
        if (!_idCache.TryGetValue(identity, out var ids))
        {
            ids = _registry.IdsOf(identity);
            _idCache[identity] = ids;
        }

        return ids;
    }

    private IRouterMaintainer RequireMaintainer(string? router, RouterKind kind) =>
        _maintainer ?? throw new InvalidOperationException(
            $"Router {router ?? "(new)"} ({kind.Name()}) must be trained for this change, but no router maintainer was supplied.");
}
