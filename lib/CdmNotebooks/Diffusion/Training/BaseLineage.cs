namespace CdmNotebooks.Diffusion;

/// <summary>Which model a fine-tuned model started from: the base's model key, the data it saw, and (for a chain) the base's own base.</summary>
/// <remarks>Stored in the fine-tuned model's configuration, so its cache key, checkpoints and registry manifest all name the base, and a forget request can follow the chain to every model that saw an ID.</remarks>
/// <param name="Key">The base's model key (<see cref="ModelKey.Of"/> of its configuration and data).</param>
/// <param name="Data">The base's training data identity.</param>
/// <param name="Base">The base's own base, or null when the base was trained from scratch.</param>
public sealed record BaseLineage(string Key, TrainingDataIdentity Data, BaseLineage? Base = null)
{
    /// <summary>This base and every base further up the chain, nearest first.</summary>
    public IEnumerable<BaseLineage> Chain()
    {
        for (var b = this; b is not null; b = b.Base)
        {
            yield return b;
        }
    }

    /// <summary>The lineage of the model in checkpoint <paramref name="header"/>, as a model fine-tuned from it records.</summary>
    public static BaseLineage Of(CheckpointHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        return new BaseLineage(ModelKey.Of(header.Config, header.Data), header.Data, header.Config.Base);
    }

    /// <summary>Throws when <paramref name="baseIds"/> (what a base trained on) share any ID with <paramref name="ids"/> (what <paramref name="model"/>, fine-tuned from it, trains on): a base must be public with respect to every shard.</summary>
    public static void CheckDisjoint(IReadOnlyList<string> baseIds, IReadOnlyList<string> ids, string baseName, string model)
    {
        ArgumentNullException.ThrowIfNull(baseIds);
        ArgumentNullException.ThrowIfNull(ids);
        var held = baseIds.ToHashSet(StringComparer.Ordinal);
        var shared = ids.Where(held.Contains).ToList();
        if (shared.Count > 0)
        {
            throw new ArgumentException(
                $"{baseName} holds {shared.Count} of the {ids.Count} IDs {model} trains on (e.g. {string.Join(", ", shared.Take(3))}); " +
                "a base must see only data disjoint from every shard. Use a public part disjoint from the shards (e.g. fashion-mnist-public for fashion-mnist-private).");
        }
    }
}
