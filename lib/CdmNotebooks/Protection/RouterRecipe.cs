using CdmNotebooks.Composition;

namespace CdmNotebooks.Protection;

/// <summary>
/// What a trained router of each kind is, in the one place `cdm` and the experiments share: a classifier is one network over every shard
/// (output i = shard i), trained on the shards' own samples; a compartmentalized router is one density-ratio head per shard, trained on
/// that shard's samples against the public reference set (<see cref="RouterReference"/>). Seeds derive from the run seed (`cdm` uses
/// <see cref="RouterReference.DefaultSeed"/>), so a router trained by either on the same data is the same network.
/// </summary>
public static class RouterRecipe
{
    /// <summary>The network of a router of <paramref name="kind"/> over <paramref name="shards"/> shards, at the size <paramref name="size"/>.</summary>
    public static RouterNetworkConfig Network(RouterNetworkConfig size, RouterKind kind, int shards)
    {
        ArgumentNullException.ThrowIfNull(size);
        return size with { Outputs = kind == RouterKind.Classifier ? shards : 1 };
    }

    /// <summary>The training options of a router part of <paramref name="kind"/> in a run with <paramref name="seed"/>, on the budget <paramref name="budget"/>.</summary>
    /// <remarks>Every head shares one seed: heads differ by their data, and a head retrained for a shard must not depend on the shard's position.</remarks>
    public static RouterTrainingOptions Training(RouterTrainingOptions budget, RouterKind kind, int seed)
    {
        ArgumentNullException.ThrowIfNull(budget);
        return kind switch
        {
            RouterKind.Classifier => budget with { Seed = seed * 1000L + 7 },
            RouterKind.Compartmentalized => budget with { Seed = seed * 1000L + 11 },
            _ => throw new ArgumentException($"Router kind '{kind.Name()}' has nothing to train.", nameof(kind)),
        };
    }
}
