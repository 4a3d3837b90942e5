using CdmNotebooks.Composition;
using CdmNotebooks.Composition.Registry;
using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.Protection;

/// <summary>
/// The one way to build and use a compartmentalized model, for `cdm`, the experiments and the notebooks: a shard registry whose shards are
/// added through <see cref="DataProtection.AddShard"/>, whose routers are created and maintained by one <see cref="IRouterMaintainer"/>, and
/// whose compositions are opened by <see cref="RegistryComposer"/>.
/// </summary>
public sealed class ShardStore
{
    private readonly Device? _device;
    private readonly DataProtection? _protection;

    /// <summary>
    /// Uses <paramref name="registry"/>, training shards with <paramref name="shards"/> and routers with <paramref name="routers"/>; shard models
    /// open on <paramref name="device"/>. Without a shard trainer the store only composes.
    /// </summary>
    public ShardStore(ShardRegistry registry, IShardTrainer? shards = null, IRouterMaintainer? routers = null, Device? device = null)
    {
        Registry = registry ?? throw new ArgumentNullException(nameof(registry));
        _protection = shards is null ? null : new DataProtection(registry, shards, routers);
        Routers = routers;
        _device = device;
    }

    /// <summary>The registry behind the store.</summary>
    public ShardRegistry Registry { get; }

    /// <summary>Forgetting, continual learning and router creation, each one audited atomic commit.</summary>
    public DataProtection Protection => _protection ?? throw new InvalidOperationException(
        $"The shard store over '{Registry.Root}' was opened to compose only; open it with a shard trainer to add, forget or route.");

    /// <summary>The router maintainer (null: only naive, Ito and random-pick compositions).</summary>
    public IRouterMaintainer? Routers { get; }

    /// <summary>Adds a shard trained on <paramref name="sampleIds"/> (see <see cref="DataProtection.AddShard"/>).</summary>
    public ProtectionReport AddShard(string actor, string shardName, string split, int shardIndex, IReadOnlyList<string> sampleIds, CancellationToken cancellationToken = default) =>
        Protection.AddShard(actor, shardName, split, shardIndex, sampleIds, cancellationToken);

    /// <summary>Trains and activates a router of <paramref name="kind"/> over every active shard (see <see cref="DataProtection.AddRouter"/>).</summary>
    public ProtectionReport AddRouter(string actor, string name, RouterKind kind, CancellationToken cancellationToken = default) =>
        Protection.AddRouter(actor, name, kind, cancellationToken);

    /// <summary>Opens the composition <paramref name="request"/> asks for; dispose it to release the shard weights.</summary>
    public ComposedModel Compose(CompositionRequest request) => RegistryComposer.Compose(Registry, request, Load);

    /// <summary>Opens a registered shard checkpoint as a denoiser after checking it was trained on exactly the manifest's data identity.</summary>
    public IDenoiser Load(ShardManifest manifest, string verifiedPath)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var header = Checkpoint.ReadHeader(verifiedPath);
        if (header.Data.Identity != manifest.DataIdentity)
        {
            throw new InvalidDataException(
                $"Checkpoint '{verifiedPath}' of {manifest.Key} was trained on data identity {header.Data.Identity}, but the manifest records {manifest.DataIdentity}.");
        }

        return Checkpoint.LoadDenoiser(verifiedPath, device: _device);
    }
}
