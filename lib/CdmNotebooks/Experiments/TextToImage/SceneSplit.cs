using CdmNotebooks.TextToImage;

namespace CdmNotebooks.Experiments.TextToImage;

/// <summary>The training scenes of E6 divided into a public part (what the prompt-tuning base model is trained on) and disjoint private shards.</summary>
/// <param name="Public">Scenes the frozen base of the prompt-tuned variant learns from; no shard holds them.</param>
/// <param name="Shards">The private shards; the monolithic model trains on their union.</param>
public sealed record SceneSplit(IReadOnlyList<Scene> Public, IReadOnlyList<IReadOnlyList<Scene>> Shards)
{
    /// <summary>Every private scene (the union of the shards, in shard order): the monolithic model's training data.</summary>
    public IReadOnlyList<Scene> Private => Shards.SelectMany(s => s).ToArray();

    /// <summary>Divides <paramref name="scenes"/> uniformly at random (seeded): a fraction <paramref name="publicFraction"/> becomes the public part, the rest is dealt round-robin into <paramref name="shardCount"/> shards of equal size (within one scene).</summary>
    /// <remarks>A uniform split is the analogue of the paper's split of MSCOCO by source: each shard's captions follow the same distribution.</remarks>
    public static SceneSplit Uniform(IReadOnlyList<Scene> scenes, int shardCount, double publicFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(scenes);
        if (shardCount < 1 || !(publicFraction >= 0 && publicFraction < 1))
        {
            throw new ArgumentException($"Need at least one shard and a public fraction in [0, 1); got {shardCount} shards, fraction {publicFraction}.");
        }

        var publicCount = (int)Math.Round(scenes.Count * publicFraction);
        if (scenes.Count - publicCount < shardCount)
        {
            throw new ArgumentException($"{scenes.Count} scenes leave {scenes.Count - publicCount} private scenes after the public part; {shardCount} shards need at least one each.", nameof(scenes));
        }

        var order = Shuffled(Enumerable.Range(0, scenes.Count), seed);
        return new SceneSplit(order.Take(publicCount).Order().Select(i => scenes[i]).ToArray(), Deal(scenes, order.Skip(publicCount).ToArray(), shardCount));
    }

    /// <summary>
    /// Divides <paramref name="scenes"/> by what the base may see: the public part is every scene of digits only, the private part every scene with a
    /// garment, dealt at random (seeded) round-robin into <paramref name="shardCount"/> shards. The base never sees a garment, so whatever the garment
    /// prompts get right comes from fine-tuning alone, as a Fashion-MNIST base never saw a digit in Table 1's cross-domain regime.
    /// </summary>
    public static SceneSplit CrossDomain(IReadOnlyList<Scene> scenes, int shardCount, int seed)
    {
        ArgumentNullException.ThrowIfNull(scenes);
        var privateIndices = Shuffled(Enumerable.Range(0, scenes.Count).Where(i => HasGarment(scenes[i])), seed);
        if (shardCount < 1 || privateIndices.Length < shardCount)
        {
            throw new ArgumentException($"{scenes.Count} scenes hold {privateIndices.Length} scenes with a garment; {shardCount} shards need at least one each (and at least one shard).", nameof(scenes));
        }

        return new SceneSplit(scenes.Where(s => !HasGarment(s)).ToArray(), Deal(scenes, privateIndices, shardCount));
    }

    /// <summary>Whether <paramref name="scene"/> holds at least one Fashion-MNIST object (the private domain of the cross-domain split).</summary>
    public static bool HasGarment(Scene scene) => scene.Layout.Objects.Any(o => !SceneVocabulary.IsDigit(o.Category));

    private static int[] Shuffled(IEnumerable<int> indices, int seed)
    {
        var order = indices.ToArray();
        Data.Shuffling.Shuffle(order, new MathNet.Numerics.Random.MersenneTwister(seed + 6006, threadSafe: false));
        return order;
    }

    private static IReadOnlyList<Scene>[] Deal(IReadOnlyList<Scene> scenes, int[] order, int shardCount) =>
        Enumerable.Range(0, shardCount).Select(s => (IReadOnlyList<Scene>)order.Where((_, k) => k % shardCount == s).Order().Select(i => scenes[i]).ToArray()).ToArray();
}
