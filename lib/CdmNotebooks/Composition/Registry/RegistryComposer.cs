using System.Text.Json;
using CdmNotebooks.Diffusion;

namespace CdmNotebooks.Composition.Registry;

/// <summary>Opens a <see cref="ComposedDenoiser"/> from registry components, honouring entitlements: unentitled shards' files are never opened.</summary>
public static class RegistryComposer
{
    /// <summary>Composes per <paramref name="request"/>; <paramref name="loadShard"/> turns a verified checkpoint path into a denoiser (the caller's model format).</summary>
    public static ComposedModel Compose(ShardRegistry registry, CompositionRequest request, Func<ShardManifest, string, IDenoiser> loadShard)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(loadShard);
        var kind = request.RouterKind;
        var router = kind.IsTrained() ? ResolveRouter(registry, kind, request.Router) : null;

        // Names only (from the router's manifest or the index), then filter by request and entitlement: no file of an unentitled
        // shard, not even its manifest, may be opened.
        var names = router?.ShardNames.ToList() ?? (request.Shards ?? registry.ActiveShardNames())
            .Select(k => ComponentKey.Parse(k).Name).ToList();
        var requested = request.Shards?.Select(k => ComponentKey.Parse(k).Name).ToHashSet(StringComparer.Ordinal);
        if (requested is not null && router is not null)
        {
            var uncovered = requested.Where(n => !names.Contains(n)).ToList();
            if (uncovered.Count > 0)
            {
                throw new ArgumentException(
                    $"Router {router.Key} does not weigh shard(s) {string.Join(", ", uncovered)}; update the router (cdm shard add does) or choose another router kind.");
            }
        }

        var entitled = EntitledShards(registry, request);
        var manifests = new ShardManifest?[names.Count];
        var allowed = new bool[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            var wanted = requested?.Contains(names[i]) ?? true;
            if (!wanted || (entitled is not null && !entitled.Contains(names[i])))
            {
                continue;
            }

            var key = request.Shards?.FirstOrDefault(k => ComponentKey.Parse(k).Name == names[i]) ?? names[i];
            manifests[i] = registry.Shard(key);
            allowed[i] = true;
        }

        if (!allowed.Any(a => a))
        {
            throw new UnauthorizedAccessException(
                request.User is null
                    ? "No shard is left to compose after applying the request."
                    : $"User '{request.User}' is entitled to none of the requested shards ({string.Join(", ", names)}).");
        }

        var mask = new ShardMask(allowed);
        var denoisers = manifests.Select(m => m is null ? null : loadShard(m, registry.VerifiedPath(m.CheckpointFile, m.CheckpointSha256))).ToArray();
        var present = manifests.OfType<ShardManifest>().ToList();
        var priors = Priors(manifests, present);
        var schedule = denoisers.OfType<IDenoiser>().First().Schedule;
        IRouter routerImpl = kind switch
        {
            RouterKind.Naive => new NaiveAveragingRouter(priors),
            RouterKind.Ito => new ItoDensityRouter(priors, schedule),
            RouterKind.RandomPick => new RandomPickRouter(priors, request.Seed),
            // Trained routers run only for samples the prior leaves open (on a by-class split with the class given: none).
            RouterKind.Classifier => new PriorDecidedRouter(new ClassifierRouter(LoadNetwork(registry, router!, router!.Parts.Single())), priors),
            RouterKind.Compartmentalized => new PriorDecidedRouter(new CompartmentalizedRouter(
                names.Select((n, i) => allowed[i] ? LoadNetwork(registry, router!, router!.Parts.Single(p => p.ShardName == n)) : null).ToList(), priors), priors),
            _ => throw new ArgumentOutOfRangeException(nameof(request), kind, "Unknown router kind."),
        };
        return new ComposedModel(new ComposedDenoiser(denoisers, routerImpl, mask, request.Options ?? DefaultOptions(kind)), names, manifests, mask, kind, router, denoisers);
    }

    /// <summary>
    /// The shard selection used with trained routers (classifier, compartmentalized) and Ito-density weights: a shard is evaluated for a
    /// sample only when its weight is at least 0.01 (for Ito weights: for the rest of the path once it falls below). The threshold keeps
    /// FID at that of dense composition (measured in docs/benchmarks.md, "Sparse composition").
    /// </summary>
    public static SparseSelection TrainedRouterSparsity { get; } = new(Threshold: 0.01);

    /// <summary>
    /// The composition options of a request that gives none: trained and Ito-density routers compose sparsely (<see cref="TrainedRouterSparsity"/>),
    /// random pick evaluates only the drawn shard, and naive weights are constant lambda, so every shard with a positive prior is needed (dense).
    /// </summary>
    public static CompositionOptions DefaultOptions(RouterKind kind) => kind switch
    {
        RouterKind.Classifier or RouterKind.Compartmentalized or RouterKind.Ito => new CompositionOptions(TrainedRouterSparsity),
        RouterKind.RandomPick => new CompositionOptions(new SparseSelection(Threshold: 0.5)),
        _ => CompositionOptions.Default,
    };

    /// <summary>Rebuilds a router network from a registered part (the configuration is stored in the router manifest).</summary>
    public static RouterNetwork LoadNetwork(ShardRegistry registry, RouterManifest router, RouterPart part)
    {
        var config = router.Config?.Deserialize<RouterNetworkConfig>(RegistryJson.Options)
            ?? throw new InvalidDataException($"Router {router.Key} has no network configuration in its manifest.");
        var network = new RouterNetwork(config);
        network.load(registry.VerifiedPath(part.File, part.Sha256));
        network.eval();
        return network;
    }

    private static RouterManifest ResolveRouter(ShardRegistry registry, RouterKind kind, string? name)
    {
        if (name is not null)
        {
            var router = registry.Router(name);
            return router.Kind == kind
                ? router
                : throw new ArgumentException($"Router {router.Key} is a {router.Kind.Name()} router, not {kind.Name()}.");
        }

        var candidates = registry.ActiveRouters().Where(r => r.Kind == kind).ToList();
        return candidates.Count switch
        {
            1 => candidates[0],
            0 => throw new InvalidOperationException($"The registry at '{registry.Root}' has no active {kind.Name()} router; train one first or use --router naive|ito."),
            _ => throw new InvalidOperationException($"Several active {kind.Name()} routers ({string.Join(", ", candidates.Select(c => c.Name))}); name one."),
        };
    }

    private static IReadOnlySet<string>? EntitledShards(ShardRegistry registry, CompositionRequest request)
    {
        if (request.User is null)
        {
            return null;
        }

        var policy = request.Policy ?? throw new ArgumentException($"Composing for user '{request.User}' needs an access policy.");
        policy.RequireKnownShards(registry.ReadIndex().Shards.Keys);
        var entitled = policy.EntitledShards(request.User);
        var refused = request.Shards?.Select(k => ComponentKey.Parse(k).Name).Where(n => !entitled.Contains(n)).ToList() ?? [];
        if (refused.Count > 0)
        {
            throw new UnauthorizedAccessException($"User '{request.User}' is not entitled to shard(s) {string.Join(", ", refused)} (policy {policy.Source}).");
        }

        return entitled;
    }

    private static ShardPriors Priors(IReadOnlyList<ShardManifest?> manifests, IReadOnlyList<ShardManifest> present)
    {
        // Masked shards get a zero prior; they are masked anyway, and their manifests were never read.
        if (present.All(m => m.ClassCounts.Count > 0))
        {
            return ShardPriors.FromClassCounts(manifests.Select(m => m?.ClassCounts ?? (IReadOnlyList<int>)[]).ToList());
        }

        return ShardPriors.FromWeights(manifests.Select(m => (double)(m?.SampleCount ?? 0)).ToList());
    }
}
