using System.Diagnostics;
using CdmNotebooks.Composition;
using CdmNotebooks.Composition.Registry;

namespace CdmNotebooks.Protection;

/// <summary>Privacy and maintenance operations on a shard registry: forget samples, forget a shard, add a shard, add a router; each commits atomically and is audited.</summary>
/// <remarks>
/// Every operation stages new shard and router versions first (nothing active changes while training runs) and then commits one
/// registry change that activates them, retires the replaced versions and records forgotten IDs, so a crash or cancellation at any
/// point leaves the previous composition intact. The audit record is appended after the commit. Each operation is planned from one
/// snapshot of the index; when another writer's commit conflicts with it (<see cref="ShardRegistry.Commit"/> refuses it), the operation is
/// planned, trained and committed again from the index that writer left, so concurrent requests never drop one another.
/// </remarks>
public sealed class DataProtection
{
    // Each refused attempt means another writer committed meanwhile; five in a row is contention worth reporting, not retrying forever.
    private const int Attempts = 5;

    private readonly ShardRegistry _registry;
    private readonly IShardTrainer _trainer;
    private readonly IRouterMaintainer? _routers;
    private readonly AuditLog _audit;

    /// <summary>Operates on <paramref name="registry"/> with the caller's shard trainer and (for registries with trained routers) router maintainer.</summary>
    public DataProtection(ShardRegistry registry, IShardTrainer trainer, IRouterMaintainer? routers = null)
    {
        _registry = registry ?? throw new ArgumentNullException(nameof(registry));
        _trainer = trainer ?? throw new ArgumentNullException(nameof(trainer));
        _routers = routers;
        _audit = new AuditLog(registry);
    }

    /// <summary>Forgets <paramref name="sampleIds"/>: retrains every active shard holding one without them (SISA-style), updates routers, retires old versions.</summary>
    public ProtectionReport ForgetSamples(string actor, IReadOnlyCollection<string> sampleIds, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        ArgumentNullException.ThrowIfNull(sampleIds);
        if (sampleIds.Count == 0)
        {
            throw new ArgumentException("A forget request needs at least one sample ID.", nameof(sampleIds));
        }

        var clock = Stopwatch.StartNew();
        return Retrying(clock, (index, timings) => ForgetSamplesFrom(index, timings, actor, sampleIds, clock, cancellationToken));
    }

    /// <summary>Removes a whole shard from composition; its samples count as forgotten, so routers trained on them are updated too.</summary>
    public ProtectionReport ForgetShard(string actor, string shardName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        var clock = Stopwatch.StartNew();
        return Retrying(clock, (index, timings) =>
        {
            var shard = _registry.Shard(shardName, index);
            var ids = _registry.IdsOf(shard.DataIdentity);
            var shards = _registry.ActiveShards(index).Where(s => s.Name != shard.Name).ToDictionary(s => s.Name, StringComparer.Ordinal);
            var change = new AuditShardChange(shard.Name, shard.Version, null, shard.DataIdentity, null);
            timings.Add(new ComponentTiming($"shard {shard.Name}", "removed", 0));
            return Finish(index, actor, "forget-shard", [], [], shards, ids.ToHashSet(StringComparer.Ordinal), [], [shard.Name], [change], timings, clock, cancellationToken);
        });
    }

    /// <summary>Continual learning: trains a new shard on <paramref name="sampleIds"/> without retraining the others, and updates routers per their kind.</summary>
    public ProtectionReport AddShard(
        string actor, string shardName, string split, int shardIndex, IReadOnlyList<string> sampleIds, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        ComponentKey.Validate(shardName);
        var clock = Stopwatch.StartNew();
        return Retrying(clock, (index, timings) =>
        {
            if (index.Shards.TryGetValue(shardName, out var state) && state.Active is not null)
            {
                throw new InvalidOperationException($"Shard '{shardName}' is already active; choose a new name (adding never replaces a shard).");
            }

            var forgotten = index.ForgottenIds.Intersect(sampleIds, StringComparer.Ordinal).Take(3).ToList();
            if (forgotten.Count > 0)
            {
                throw new InvalidOperationException(
                    $"The new shard would contain forgotten sample IDs ({string.Join(", ", forgotten)}); remove them before adding the shard.");
            }

            var shards = _registry.ActiveShards(index).ToDictionary(s => s.Name, StringComparer.Ordinal);
            var shardClock = Stopwatch.StartNew();
            var parents = state is null ? Array.Empty<string>() : state.Versions.Select(v => ComponentKey.Of(shardName, v)).ToArray();
            var added = Train(shardName, split, shardIndex, sampleIds, parents, "continual add", cancellationToken);
            shards[shardName] = added;
            timings.Add(new ComponentTiming($"shard {shardName}", $"trained on {sampleIds.Count} samples", shardClock.Elapsed.TotalSeconds));
            var change = new AuditShardChange(shardName, null, added.Version, null, added.DataIdentity);
            return Finish(index, actor, "add-shard", [], [], shards, new HashSet<string>(StringComparer.Ordinal), [added], [], [change], timings, clock, cancellationToken);
        });
    }

    /// <summary>Trains a router <paramref name="name"/> of a trained <paramref name="kind"/> over every active shard and activates it (a new version if the name is active).</summary>
    /// <remarks>Add shards first: each later <see cref="AddShard"/> updates the router per its kind (a classifier retrains over all shards; a compartmentalized router trains one head).</remarks>
    public ProtectionReport AddRouter(string actor, string name, RouterKind kind, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        ComponentKey.Validate(name);
        var clock = Stopwatch.StartNew();
        return Retrying(clock, (index, timings) =>
        {
            var (staged, change, timing) = new RouterUpdater(_registry, _routers).Create(index, name, kind, $"add-router by {actor}", cancellationToken);
            timings.Add(timing);
            cancellationToken.ThrowIfCancellationRequested();
            _registry.Commit(new RegistryChange { Base = index, ActivateRouters = [staged] });
            var record = new AuditRecord(DateTimeOffset.UtcNow, actor, "add-router", [], [], [], [change], clock.Elapsed.TotalSeconds);
            _audit.Append(record);
            return new ProtectionReport(record, timings);
        });
    }

    private ProtectionReport ForgetSamplesFrom(
        RegistryIndex index, List<ComponentTiming> timings, string actor, IReadOnlyCollection<string> sampleIds, Stopwatch clock, CancellationToken cancellationToken)
    {
        var forgotten = sampleIds.ToHashSet(StringComparer.Ordinal);
        var shards = _registry.ActiveShards(index).ToDictionary(s => s.Name, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var changes = new List<AuditShardChange>();
        var staged = new List<ShardManifest>();
        var retired = new List<string>();
        foreach (var shard in shards.Values.ToList())
        {
            var ids = _registry.IdsOf(shard.DataIdentity);
            var hit = ids.Where(forgotten.Contains).ToList();
            seen.UnionWith(hit);
            if (hit.Count == 0)
            {
                continue;
            }

            var remaining = ids.Where(id => !forgotten.Contains(id)).ToList();
            var shardClock = Stopwatch.StartNew();
            if (remaining.Count == 0)
            {
                retired.Add(shard.Name);
                shards.Remove(shard.Name);
                changes.Add(new AuditShardChange(shard.Name, shard.Version, null, shard.DataIdentity, null));
                timings.Add(new ComponentTiming($"shard {shard.Name}", "retired (no samples left)", 0));
                continue;
            }

            var next = Train(shard.Name, shard.Split, shard.ShardIndex, remaining, [shard.Key], $"forget {hit.Count} IDs", cancellationToken);
            staged.Add(next);
            shards[shard.Name] = next;
            changes.Add(new AuditShardChange(shard.Name, shard.Version, next.Version, shard.DataIdentity, next.DataIdentity));
            timings.Add(new ComponentTiming($"shard {shard.Name}", $"retrained on {remaining.Count} samples", shardClock.Elapsed.TotalSeconds));
        }

        return Finish(index, actor, "forget-samples", sampleIds.Distinct(StringComparer.Ordinal).ToList(), forgotten.Where(id => !seen.Contains(id)).ToList(),
            shards, forgotten, staged, retired, changes, timings, clock, cancellationToken);
    }

    // Runs one attempt per index snapshot; a refused attempt's cost stays in the report as one "registry" timing naming the conflict. A refusal
    // with no other writer involved would only repeat, so it is thrown at once.
    private ProtectionReport Retrying(Stopwatch clock, Func<RegistryIndex, List<ComponentTiming>, ProtectionReport> attempt)
    {
        var refused = new List<ComponentTiming>();
        for (var n = 1; ; n++)
        {
            var started = clock.Elapsed;
            try
            {
                return attempt(_registry.ReadIndex(), [.. refused]);
            }
            catch (RegistryConflictException conflict) when (n < Attempts && conflict.OtherWritersCommitted)
            {
                refused.Add(new ComponentTiming("registry", $"attempt {n} refused, planned again: {conflict.Conflicts[0]}", (clock.Elapsed - started).TotalSeconds));
            }
        }
    }

    private ShardManifest Train(string name, string split, int shardIndex, IReadOnlyList<string> ids, IReadOnlyList<string> parents, string reason, CancellationToken cancellationToken)
    {
        var draft = new ShardDraft(name, split, shardIndex, ids, [], null, parents, reason);
        return _registry.StageShard(draft, path =>
        {
            var outcome = _trainer.Train(name, ids, path, cancellationToken);
            return draft with { Config = outcome.Config, ClassCounts = outcome.ClassCounts };
        });
    }

    private ProtectionReport Finish(
        RegistryIndex index, string actor, string operation, IReadOnlyList<string> requested, IReadOnlyList<string> notFound, IReadOnlyDictionary<string, ShardManifest> shards,
        IReadOnlySet<string> forgotten, List<ShardManifest> staged, List<string> retiredShards, List<AuditShardChange> changes,
        List<ComponentTiming> timings, Stopwatch clock, CancellationToken cancellationToken)
    {
        var routers = new RouterUpdater(_registry, _routers).Update(index, shards, forgotten, $"{operation} by {actor}", cancellationToken);
        timings.AddRange(routers.Timings);
        cancellationToken.ThrowIfCancellationRequested();
        _registry.Commit(new RegistryChange
        {
            Base = index,
            ActivateShards = staged,
            RetireShards = retiredShards,
            ActivateRouters = routers.Staged,
            RetireRouters = routers.Retired,
            ForgetIds = forgotten.Order(StringComparer.Ordinal).ToList(),
        });
        var record = new AuditRecord(DateTimeOffset.UtcNow, actor, operation, requested, notFound, changes, routers.Changes, clock.Elapsed.TotalSeconds);
        _audit.Append(record);
        return new ProtectionReport(record, timings);
    }
}
