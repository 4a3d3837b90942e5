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

        var order = Enumerable.Range(0, scenes.Count).ToArray();
        Data.Shuffling.Shuffle(order, new MathNet.Numerics.Random.MersenneTwister(seed + 6006, threadSafe: false));
        var publicScenes = order.Take(publicCount).Order().Select(i => scenes[i]).ToArray();
        var rest = order.Skip(publicCount).ToArray();
        var shards = Enumerable.Range(0, shardCount)
            .Select(s => (IReadOnlyList<Scene>)rest.Where((_, k) => k % shardCount == s).Order().Select(i => scenes[i]).ToArray())
            .ToArray();
        return new SceneSplit(publicScenes, shards);
    }
}
