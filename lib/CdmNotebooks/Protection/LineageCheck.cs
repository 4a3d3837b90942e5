using System.Text.Json;
using CdmNotebooks.Composition.Registry;
using CdmNotebooks.Diffusion;

namespace CdmNotebooks.Protection;

/// <summary>Proves from manifests alone that no active component (shards and routers) was trained on a forgotten sample ID.</summary>
/// <remarks>
/// Each component's training data is named by data identities whose ID lists are stored content-addressed and re-hashed on reading, and
/// each weight file is re-hashed against its manifest, so a stale, swapped or edited file or ID list is reported rather than trusted.
/// A shard fine-tuned from a base carries the base chain in its configuration; every base's ID list must be in the registry too, and a
/// forgotten ID held by a base fails the check until the base and every model fine-tuned from it are retrained.
/// </remarks>
public static class LineageCheck
{
    /// <summary>Checks every active component of <paramref name="registry"/> against its forgotten-ID set.</summary>
    public static LineageReport Verify(ShardRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var forgotten = registry.ReadIndex().ForgottenIds.ToHashSet(StringComparer.Ordinal);
        var checkedComponents = new List<string>();
        var violations = new List<string>();
        foreach (var shard in registry.ActiveShards())
        {
            checkedComponents.Add($"shard {shard.Key}");
            Inspect(registry, $"shard {shard.Key}", [shard.DataIdentity], forgotten, violations);
            InspectBases(registry, shard, forgotten, violations);
            Integrity(registry, $"shard {shard.Key}", shard.CheckpointFile, shard.CheckpointSha256, violations);
        }

        foreach (var router in registry.ActiveRouters())
        {
            checkedComponents.Add($"router {router.Key}");
            foreach (var part in router.Parts)
            {
                var label = $"router {router.Key}" + (part.ShardName is null ? "" : $" head {part.ShardName}");
                Inspect(registry, label, part.TrainedOnIdentities, forgotten, violations);
                Integrity(registry, label, part.File, part.Sha256, violations);
            }
        }

        return new LineageReport(forgotten.Count, checkedComponents, violations);
    }

    private static void Inspect(ShardRegistry registry, string component, IEnumerable<string> identities, HashSet<string> forgotten, List<string> violations)
    {
        foreach (var identity in identities)
        {
            try
            {
                var hits = registry.IdsOf(identity).Where(forgotten.Contains).ToList();
                if (hits.Count > 0)
                {
                    violations.Add($"{component} was trained on {hits.Count} forgotten ID(s), e.g. {string.Join(", ", hits.Take(3))} (data identity {identity}).");
                }
            }
            catch (Exception e) when (e is IOException or InvalidDataException)
            {
                violations.Add($"{component}: training data identity {identity} cannot be verified: {e.Message}");
            }
        }
    }

    private static void InspectBases(ShardRegistry registry, ShardManifest shard, HashSet<string> forgotten, List<string> violations)
    {
        if (shard.Config is not { ValueKind: JsonValueKind.Object } config || !config.TryGetProperty("base", out var json) || json.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var lineage = json.Deserialize<BaseLineage>(Checkpoint.JsonOptions)
                      ?? throw new InvalidDataException($"Shard {shard.Key}: its configuration's base cannot be read.");
        foreach (var b in lineage.Chain())
        {
            try
            {
                var hits = registry.IdsOf(b.Data.Identity).Where(forgotten.Contains).ToList();
                if (hits.Count > 0)
                {
                    violations.Add($"shard {shard.Key} is fine-tuned from base {b.Key} ({b.Data}), which holds {hits.Count} forgotten ID(s), e.g. " +
                        $"{string.Join(", ", hits.Take(3))}: held by the base: retrain the base and every model fine-tuned from it.");
                }
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException)
            {
                violations.Add($"shard {shard.Key}: the training data of its base {b.Key} ({b.Data}) cannot be verified ({e.Message}); " +
                    "store the base's sample IDs in the registry (ShardRegistry.StoreIds) when registering shards fine-tuned from it.");
            }
        }
    }

    private static void Integrity(ShardRegistry registry, string component, string file, string sha256, List<string> violations)
    {
        try
        {
            registry.VerifiedPath(file, sha256);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            violations.Add($"{component}: {e.Message}");
        }
    }
}
