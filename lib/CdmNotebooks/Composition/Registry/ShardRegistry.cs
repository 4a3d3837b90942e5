using System.Security.Cryptography;
using System.Text.Json;
using CdmNotebooks.Data;
using CdmNotebooks.IO;

namespace CdmNotebooks.Composition.Registry;

/// <summary>Folder-backed store of shard and router versions with lineage; one atomically replaced index says what is composable.</summary>
/// <remarks>
/// Layout under <see cref="Root"/>: <c>index.json</c> (the only mutable file), <c>shards/NAME/vN/</c> and <c>routers/NAME/vN/</c>
/// (manifest.json plus weights, immutable once written), <c>identities/SHA.txt</c> (the sorted sample IDs behind each data identity)
/// and <c>audit.jsonl</c>. New versions are staged (written completely, not yet referenced) and become active only when a
/// <see cref="RegistryChange"/> is committed, so a crash at any point leaves the previous index, and everything it references, intact.
/// Several processes may write at once: version folders are allocated, and the index is read, checked and replaced, under one exclusive
/// OS file lock (<c>.writer.lock</c>, released by the kernel when its holder dies), and a change prepared from an older index is rebased
/// or refused by the rules on <see cref="Commit"/>, so no writer's update is lost and none reactivates data another one forgot.
/// </remarks>
public sealed class ShardRegistry
{
    private const string IndexFile = "index.json";
    private const string ManifestFile = "manifest.json";

    /// <summary>Opens (or starts) a registry in <paramref name="root"/>; a writer waits up to <paramref name="writerLockTimeout"/> (default <see cref="DefaultWriterLockTimeout"/>) for another writer's lock.</summary>
    public ShardRegistry(string root, TimeSpan? writerLockTimeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        if (writerLockTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(writerLockTimeout), timeout, "The writer lock timeout must be positive.");
        }

        Root = Path.GetFullPath(root);
        WriterLockTimeout = writerLockTimeout ?? DefaultWriterLockTimeout;
        Directory.CreateDirectory(Root);
    }

    /// <summary>$CDM_REGISTRY if set, else <c>registry/</c> under the artifact cache (<see cref="RepositoryPaths.Cache"/>).</summary>
    public static string DefaultRoot =>
        Environment.GetEnvironmentVariable("CDM_REGISTRY") is { Length: > 0 } root ? Path.GetFullPath(root) : Path.Combine(RepositoryPaths.Cache, "registry");

    /// <summary>$CDM_REGISTRY_LOCK_TIMEOUT (seconds) if set, else 10 minutes: commits hold the lock for milliseconds, so a longer wait means a stuck writer.</summary>
    public static TimeSpan DefaultWriterLockTimeout =>
        Environment.GetEnvironmentVariable("CDM_REGISTRY_LOCK_TIMEOUT") is not { Length: > 0 } text
            ? TimeSpan.FromMinutes(10)
            : double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && seconds < TimeSpan.MaxValue.TotalSeconds
                ? TimeSpan.FromSeconds(seconds)
                : throw new ArgumentException($"CDM_REGISTRY_LOCK_TIMEOUT='{text}' is not a positive number of seconds.");

    /// <summary>The registry folder.</summary>
    public string Root { get; }

    /// <summary>How long a commit or a version allocation waits for another writer's lock before it fails with a <see cref="TimeoutException"/>.</summary>
    public TimeSpan WriterLockTimeout { get; }

    /// <summary>Where trainings for this registry keep their own checkpoints until they finish, so an interrupted one resumes (never part of a version).</summary>
    public string TrainingRoot => Path.Combine(Root, "training");

    /// <summary>The append-only audit log of protection operations.</summary>
    public string AuditLogPath => Path.Combine(Root, "audit.jsonl");

    /// <summary>Reads the current index (empty for a new registry).</summary>
    public RegistryIndex ReadIndex()
    {
        var path = Path.Combine(Root, IndexFile);
        return File.Exists(path) ? RegistryJson.Read<RegistryIndex>(path) : RegistryIndex.Empty;
    }

    /// <summary>Stores the ID list behind a data identity (content-addressed, idempotent) and returns the identity.</summary>
    public string StoreIds(IEnumerable<string> ids)
    {
        var sorted = ids.ToArray();
        Array.Sort(sorted, StringComparer.Ordinal);
        var identity = DataIdentity.Of(sorted);
        var path = IdentityPath(identity);
        if (!File.Exists(path))
        {
            AtomicFile.WriteAllText(path, string.Join('\n', sorted));
        }

        return identity;
    }

    /// <summary>The sample IDs behind <paramref name="identity"/>, checked against the identity (a tampered list is an error).</summary>
    public IReadOnlyList<string> IdsOf(string identity)
    {
        var path = IdentityPath(identity);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The registry has no ID list for data identity {identity} (expected '{path}'); the component that names it cannot be verified.", path);
        }

        var text = File.ReadAllText(path);
        var ids = text.Length == 0 ? [] : text.Split('\n');
        if (DataIdentity.Of(ids) != identity)
        {
            throw new InvalidDataException($"ID list '{path}' does not hash to its identity {identity}: it was modified after it was stored.");
        }

        return ids;
    }

    /// <summary>Writes a new, not yet active, version of a shard with an existing checkpoint writer (configuration and class counts taken from <paramref name="draft"/>).</summary>
    public ShardManifest StageShard(ShardDraft draft, Action<string> writeCheckpoint, string checkpointFileName = "model.bin")
    {
        ArgumentNullException.ThrowIfNull(writeCheckpoint);
        return StageShard(draft, path =>
        {
            writeCheckpoint(path);
            return draft;
        }, checkpointFileName);
    }

    /// <summary>Writes a new, not yet active, version of a shard: ID list, checkpoint (by <paramref name="train"/>, given the target path, returning the draft completed with its configuration and class counts) and manifest.</summary>
    public ShardManifest StageShard(ShardDraft draft, Func<string, ShardDraft> train, string checkpointFileName = "model.bin")
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(train);
        ComponentKey.Validate(draft.Name);
        if (draft.SampleIds.Count == 0)
        {
            throw new ArgumentException($"Shard '{draft.Name}' has no training samples; a shard needs at least one.", nameof(draft));
        }

        var identity = StoreIds(draft.SampleIds);
        var (version, directory) = AllocateVersion("shards", draft.Name, i => i.Shards);
        var checkpoint = Path.Combine(directory, checkpointFileName);
        var trained = train(checkpoint);
        if (trained.Name != draft.Name || !ReferenceEquals(trained.SampleIds, draft.SampleIds) && DataIdentity.Of(trained.SampleIds) != identity)
        {
            throw new InvalidOperationException($"The trainer of shard '{draft.Name}' returned a draft for other data; it may only add configuration and class counts.");
        }

        if (!File.Exists(checkpoint))
        {
            throw new InvalidOperationException($"The trainer of shard '{draft.Name}' did not write its checkpoint to '{checkpoint}'.");
        }

        var manifest = new ShardManifest(
            draft.Name, version, draft.Split, draft.ShardIndex, identity, draft.SampleIds.Count, trained.ClassCounts, trained.Config,
            draft.Parents, draft.Reason, DateTimeOffset.UtcNow, Relative(checkpoint), Sha256Of(checkpoint));
        RegistryJson.Write(Path.Combine(directory, ManifestFile), manifest);
        return manifest;
    }

    /// <summary>Writes a new, not yet active, version of a router from its parts (new weight files or parts kept from earlier versions).</summary>
    public RouterManifest StageRouter(
        string name, RouterKind kind, IReadOnlyList<string> shardNames, IReadOnlyList<RouterPartSource> parts, JsonElement? config,
        IReadOnlyList<string> parents, string reason)
    {
        ComponentKey.Validate(name);
        if (!kind.IsTrained())
        {
            throw new ArgumentException($"Router kind '{kind.Name()}' has no trained weights, so there is nothing to register; compose with it directly.", nameof(kind));
        }

        var (version, directory) = AllocateVersion("routers", name, i => i.Routers);
        var stored = new List<RouterPart>(parts.Count);
        for (var i = 0; i < parts.Count; i++)
        {
            var source = parts[i];
            if (source.Reuse is { } kept)
            {
                stored.Add(kept);
                continue;
            }

            var file = Path.Combine(directory, source.ShardName is null ? "router.bin" : $"head-{i:D2}.bin");
            source.Write!(file);
            stored.Add(new RouterPart(source.ShardName, Relative(file), Sha256Of(file), source.TrainedOnIdentities));
        }

        var manifest = new RouterManifest(name, version, kind, shardNames, stored, config, parents, reason, DateTimeOffset.UtcNow);
        RegistryJson.Write(Path.Combine(directory, ManifestFile), manifest);
        return manifest;
    }

    /// <summary>Applies <paramref name="change"/> by one atomic replacement of the index, rebased onto what other writers committed since its base, or refuses it.</summary>
    /// <remarks>
    /// Checked under the writer lock, with B the change's <see cref="RegistryChange.Base"/>, C the current index and N the index the commit
    /// would write. A component has "moved" when its active version (or its absence) differs from B's.
    /// <list type="number">
    /// <item>A component the change activates or retires must not have moved in C: another writer replaced, added or removed it since B,
    /// and committing would silently undo that writer's version (for two forget requests: reactivate data the other one forgot).</item>
    /// <item>Shards and trained routers are coupled, since a router weighs exactly the shards it was trained for: a change that touches a router
    /// is refused if any shard moved in C, and a change that touches a shard is refused if any router it does not touch moved in C.</item>
    /// <item>Data protection, for every change, read from the ID lists of each component's data identities: a version activated for the first
    /// time may hold no forgotten ID at all, and any other component active in N that moved since B (activated by another writer, or an
    /// older version brought back) no ID forgotten since B, by this change or by another writer. So a new shard holding an ID another request
    /// forgot meanwhile is refused, and so is a forget request while another writer activated a component holding one of its IDs.</item>
    /// </list>
    /// Otherwise the change is applied to C as if it had been prepared from it, e.g. writers adding different shards to a registry without
    /// trained routers all succeed in any order. Components unchanged since B are not examined again: the change's author saw them
    /// (<c>LineageCheck</c> audits every active component). A refusal changes nothing and throws <see cref="RegistryConflictException"/>
    /// naming each conflict; prepare the change again from the current index and commit that. Versions a refused change staged stay on disk,
    /// unreferenced by the index.
    /// </remarks>
    public RegistryIndex Commit(RegistryChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.Base is null)
        {
            throw new ArgumentException("A registry change needs the index it was prepared from (RegistryChange.Base = registry.ReadIndex() before planning).", nameof(change));
        }

        RequireEachComponentOnce(change);
        using var writer = AcquireWriterLock();
        var index = ReadIndex();
        if (change.Base.Generation > index.Generation)
        {
            throw new ArgumentException(
                $"The change was prepared from generation {change.Base.Generation}, but the registry at '{Root}' is at generation {index.Generation}: " +
                "its base is another registry's index.", nameof(change));
        }

        var conflicts = change.Base.Generation == index.Generation ? [] : RebaseConflicts(change, index);
        var shards = index.Shards.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var routers = index.Routers.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        foreach (var name in change.RetireShards)
        {
            shards[name] = Retired(shards, name, "shard");
        }

        foreach (var name in change.RetireRouters)
        {
            routers[name] = Retired(routers, name, "router");
        }

        foreach (var shard in change.ActivateShards)
        {
            RequireStaged("shards", shard.Name, shard.Version);
            shards[shard.Name] = Activated(shards, shard.Name, shard.Version);
        }

        foreach (var router in change.ActivateRouters)
        {
            RequireStaged("routers", router.Name, router.Version);
            routers[router.Name] = Activated(routers, router.Name, router.Version);
        }

        var forgotten = index.ForgottenIds.Concat(change.ForgetIds).Distinct(StringComparer.Ordinal).ToList();
        var next = new RegistryIndex(index.Generation + 1, shards, routers, forgotten);
        conflicts.AddRange(ForgottenDataConflicts(change.Base, index, next));
        if (conflicts.Count > 0)
        {
            throw new RegistryConflictException(change.Base.Generation, index.Generation, conflicts);
        }

        RegistryJson.Write(Path.Combine(Root, IndexFile), next);
        return next;
    }

    /// <summary>The composable version of a shard: <c>name</c> (its active version) or <c>name@vN</c> (which must be the active one).</summary>
    public ShardManifest Shard(string nameOrKey) => Shard(nameOrKey, ReadIndex());

    /// <summary>The version of a shard active in <paramref name="index"/> (a snapshot read once, so a plan sees one consistent registry state).</summary>
    public ShardManifest Shard(string nameOrKey, RegistryIndex index) => ResolveActive(nameOrKey, "shards", index.Shards, ShardVersion);

    /// <summary>The composable version of a router, resolved like <see cref="Shard(string)"/>.</summary>
    public RouterManifest Router(string nameOrKey) => ResolveActive(nameOrKey, "routers", ReadIndex().Routers, RouterVersion);

    /// <summary>The names of every active shard, ordered, read from the index alone (no shard's manifest is opened).</summary>
    public IReadOnlyList<string> ActiveShardNames() =>
        ReadIndex().Shards.Where(p => p.Value.Active is not null).Select(p => p.Key).Order(StringComparer.Ordinal).ToList();

    /// <summary>Every active shard, ordered by name.</summary>
    public IReadOnlyList<ShardManifest> ActiveShards() => ActiveShards(ReadIndex());

    /// <summary>Every shard active in <paramref name="index"/>, ordered by name.</summary>
    public IReadOnlyList<ShardManifest> ActiveShards(RegistryIndex index) =>
        index.Shards.Where(p => p.Value.Active is not null).OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => ShardVersion(p.Key, p.Value.Active!.Value)).ToList();

    /// <summary>Every active router, ordered by name.</summary>
    public IReadOnlyList<RouterManifest> ActiveRouters() => ActiveRouters(ReadIndex());

    /// <summary>Every router active in <paramref name="index"/>, ordered by name.</summary>
    public IReadOnlyList<RouterManifest> ActiveRouters(RegistryIndex index) =>
        index.Routers.Where(p => p.Value.Active is not null).OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => RouterVersion(p.Key, p.Value.Active!.Value)).ToList();

    /// <summary>Any committed or staged version of a shard (retired ones included), for lineage and audit.</summary>
    public ShardManifest ShardVersion(string name, int version) =>
        RegistryJson.Read<ShardManifest>(Path.Combine(VersionDirectory("shards", name, version), ManifestFile));

    /// <summary>Any committed or staged version of a router.</summary>
    public RouterManifest RouterVersion(string name, int version) =>
        RegistryJson.Read<RouterManifest>(Path.Combine(VersionDirectory("routers", name, version), ManifestFile));

    /// <summary>The full path of a registry-relative file after checking its sha256, so a torn or swapped file is never loaded.</summary>
    public string VerifiedPath(string relativeFile, string expectedSha256)
    {
        var path = Path.GetFullPath(Path.Combine(Root, relativeFile));
        if (!path.StartsWith(Root, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"Registry file '{relativeFile}' points outside the registry root '{Root}'.");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Registry file '{path}' is missing; the registry at '{Root}' is incomplete.", path);
        }

        var actual = Sha256Of(path);
        if (actual != expectedSha256)
        {
            throw new InvalidDataException($"Registry file '{path}' has sha256 {actual}, but its manifest records {expectedSha256}: it was modified or torn.");
        }

        return path;
    }

    private T ResolveActive<T>(string nameOrKey, string kind, IReadOnlyDictionary<string, ComponentState> states, Func<string, int, T> read)
    {
        var (name, version) = ComponentKey.Parse(nameOrKey);
        var singular = kind.TrimEnd('s');
        if (!states.TryGetValue(name, out var state))
        {
            var known = states.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
            throw new KeyNotFoundException(
                $"No {singular} named '{name}' in the registry at '{Root}'. Known: {(known.Count == 0 ? "(none)" : string.Join(", ", known))}.");
        }

        if (state.Active is null)
        {
            throw new InvalidOperationException($"The {singular} '{name}' was removed (all versions retired) and cannot be composed.");
        }

        if (version is not null && version != state.Active)
        {
            throw new InvalidOperationException(
                state.Versions.Contains(version.Value)
                    ? $"{ComponentKey.Of(name, version.Value)} is retired; the composable version is {ComponentKey.Of(name, state.Active.Value)}."
                    : $"{singular} '{name}' has no version {version}; versions: {string.Join(", ", state.Versions)}.");
        }

        return read(name, state.Active.Value);
    }

    private static ComponentState Retired(Dictionary<string, ComponentState> states, string name, string singular) =>
        states.TryGetValue(name, out var state)
            ? state with { Active = null }
            : throw new KeyNotFoundException($"Cannot retire {singular} '{name}': the registry has no {singular} of that name.");

    private static ComponentState Activated(Dictionary<string, ComponentState> states, string name, int version)
    {
        var versions = states.TryGetValue(name, out var state) ? state.Versions.ToList() : [];
        if (!versions.Contains(version))
        {
            versions.Add(version);
            versions.Sort();
        }

        return new ComponentState(version, versions);
    }

    private static void RequireEachComponentOnce(RegistryChange change)
    {
        var shards = change.ActivateShards.Select(s => s.Name).Concat(change.RetireShards).GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1);
        var routers = change.ActivateRouters.Select(r => r.Name).Concat(change.RetireRouters).GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1);
        var repeated = shards.Select(g => $"shard '{g.Key}'").Concat(routers.Select(g => $"router '{g.Key}'")).ToList();
        if (repeated.Count > 0)
        {
            throw new ArgumentException(
                $"The change names {string.Join(", ", repeated)} more than once (activated twice, or activated and retired); name each component once.", nameof(change));
        }
    }

    // Rules 1 and 2 of Commit: what other writers changed since the change's base must not overlap what the change touches or builds on.
    private static List<string> RebaseConflicts(RegistryChange change, RegistryIndex current)
    {
        var based = change.Base;
        var movedShards = Moved(based.Shards, current.Shards);
        var movedRouters = Moved(based.Routers, current.Routers);
        var touchedShards = change.ActivateShards.Select(s => s.Name).Concat(change.RetireShards).ToList();
        var touchedRouters = change.ActivateRouters.Select(r => r.Name).Concat(change.RetireRouters).ToList();
        var conflicts = new List<string>();
        foreach (var name in touchedShards.Where(movedShards.Contains))
        {
            conflicts.Add($"shard '{name}' was {State(based.Shards, name)} when the change was prepared and is {State(current.Shards, name)} now: another writer changed it");
        }

        foreach (var name in touchedRouters.Where(movedRouters.Contains))
        {
            conflicts.Add($"router '{name}' was {State(based.Routers, name)} when the change was prepared and is {State(current.Routers, name)} now: another writer changed it");
        }

        if (touchedRouters.Count > 0 && movedShards.Count > 0)
        {
            conflicts.Add($"router(s) {string.Join(", ", touchedRouters)} were built for the shards of generation {based.Generation}, but shard(s) " +
                $"{string.Join(", ", movedShards)} changed since");
        }

        var otherRouters = movedRouters.Except(touchedRouters, StringComparer.Ordinal).ToList();
        if (touchedShards.Count > 0 && otherRouters.Count > 0)
        {
            conflicts.Add($"the change's shards ({string.Join(", ", touchedShards)}) were planned with the routers of generation {based.Generation}, but router(s) " +
                $"{string.Join(", ", otherRouters)} changed since and would not weigh them");
        }

        return conflicts;
    }

    private static List<string> Moved(IReadOnlyDictionary<string, ComponentState> based, IReadOnlyDictionary<string, ComponentState> current) =>
        based.Keys.Union(current.Keys, StringComparer.Ordinal).Where(name => ActiveOf(based, name) != ActiveOf(current, name)).Order(StringComparer.Ordinal).ToList();

    private static int? ActiveOf(IReadOnlyDictionary<string, ComponentState> states, string name) => states.TryGetValue(name, out var state) ? state.Active : null;

    private static string State(IReadOnlyDictionary<string, ComponentState> states, string name) =>
        !states.TryGetValue(name, out var state) ? "absent" : state.Active is int version ? ComponentKey.Of(name, version) : "removed";

    // Rule 3 of Commit. A version never active before is checked against every forgotten ID; any other component that moved since the base
    // (one another writer activated, or an older version brought back) against the IDs forgotten since the base, which its change's author did not see.
    private List<string> ForgottenDataConflicts(RegistryIndex based, RegistryIndex current, RegistryIndex next)
    {
        var forgotten = next.ForgottenIds.ToHashSet(StringComparer.Ordinal);
        var forgottenSince = forgotten.Except(based.ForgottenIds, StringComparer.Ordinal).ToHashSet(StringComparer.Ordinal);
        var conflicts = new List<string>();
        void Inspect(string component, bool firstActivation, IEnumerable<string> identities)
        {
            var against = firstActivation ? forgotten : forgottenSince;
            if (against.Count == 0)
            {
                return;
            }

            var hits = identities.Distinct(StringComparer.Ordinal).SelectMany(IdsOf).Where(against.Contains).Distinct(StringComparer.Ordinal).ToList();
            if (hits.Count > 0)
            {
                conflicts.Add($"{component} would be active, but it was trained on {hits.Count} forgotten ID(s), e.g. {string.Join(", ", hits.Take(3))}");
            }
        }

        foreach (var name in Moved(based.Shards, next.Shards).Where(n => ActiveOf(next.Shards, n) is not null))
        {
            var shard = ShardVersion(name, ActiveOf(next.Shards, name)!.Value);
            Inspect($"shard {shard.Key}", !IsCommitted(current.Shards, name, shard.Version), [shard.DataIdentity]);
        }

        foreach (var name in Moved(based.Routers, next.Routers).Where(n => ActiveOf(next.Routers, n) is not null))
        {
            var router = RouterVersion(name, ActiveOf(next.Routers, name)!.Value);
            Inspect($"router {router.Key}", !IsCommitted(current.Routers, name, router.Version), router.TrainedOnIdentities);
        }

        return conflicts;
    }

    private static bool IsCommitted(IReadOnlyDictionary<string, ComponentState> states, string name, int version) =>
        states.TryGetValue(name, out var state) && state.Versions.Contains(version);

    private void RequireStaged(string kind, string name, int version)
    {
        var manifest = Path.Combine(VersionDirectory(kind, name, version), ManifestFile);
        if (!File.Exists(manifest))
        {
            throw new InvalidOperationException($"Cannot activate {ComponentKey.Of(name, version)}: '{manifest}' was never staged.");
        }
    }

    private (int Version, string Directory) AllocateVersion(string kind, string name, Func<RegistryIndex, IReadOnlyDictionary<string, ComponentState>> states)
    {
        // Under the writer lock, so no other stager can pick the same number between looking at the folders and creating one: a folder,
        // once created, belongs to its stager. Staged-but-uncommitted folders (of a crash, or of a stager still training) count as taken,
        // so a new version never reuses one; they are the folders the index does not list.
        using var writer = AcquireWriterLock();
        var parent = Path.Combine(Root, kind, name);
        var onDisk = Directory.Exists(parent)
            ? Directory.EnumerateDirectories(parent).Select(Path.GetFileName).Select(d => d is ['v', .. var n] && int.TryParse(n, out var v) ? v : 0)
            : [];
        var committed = states(ReadIndex()).TryGetValue(name, out var state) ? state.Versions : [];
        var version = onDisk.Concat(committed).DefaultIfEmpty(0).Max() + 1;
        var directory = VersionDirectory(kind, name, version);
        Directory.CreateDirectory(directory);
        return (version, directory);
    }

    private string VersionDirectory(string kind, string name, int version) => Path.Combine(Root, kind, name, $"v{version}");

    private string IdentityPath(string identity)
    {
        if (identity.Length != 64 || !identity.All(Uri.IsHexDigit))
        {
            throw new ArgumentException($"'{identity}' is not a data identity (64 hex digits of sha256).", nameof(identity));
        }

        return Path.Combine(Root, "identities", identity + ".txt");
    }

    private string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    /// <summary>Takes the exclusive writer lock that every index update and version allocation holds (see <see cref="RegistryWriterLock"/>).</summary>
    internal RegistryWriterLock AcquireWriterLock() => RegistryWriterLock.Acquire(Path.Combine(Root, ".writer.lock"), WriterLockTimeout);

    internal static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
