using MathNet.Numerics.Random;

namespace CdmNotebooks.Data;

/// <summary>Assigns each sample to a shard under a <see cref="SplitScheme"/>, deterministically for a seed (explicit PRNG, not System.Random).</summary>
public static class ShardPartitioner
{
    /// <summary>Returns the shard of each sample. <paramref name="domains"/> (e.g. the dataset prefix of each ID) is used only by by-domain.</summary>
    public static int[] Assign(IReadOnlyList<long> labels, IReadOnlyList<string> domains, SplitScheme scheme, int shards, int seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(scheme);
        if (shards < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(shards), $"Shard count must be at least 1; got {shards}.");
        }

        if (labels.Count < shards)
        {
            throw new ArgumentException($"Cannot split {labels.Count} samples into {shards} non-empty shards.", nameof(shards));
        }

        var rng = new MersenneTwister(seed, threadSafe: false);
        var classes = labels.Distinct().Order().ToArray();
        var assignment = scheme.Kind switch
        {
            "uniform" => Uniform(labels, classes, shards, rng),
            "by-class" => ByClass(labels, classes, shards, rng),
            "by-domain" => ByDomain(domains, shards),
            "dirichlet" => Dirichlet(labels, classes, shards, scheme.Alpha, rng),
            _ => throw new ArgumentException($"Unsupported scheme {scheme}.", nameof(scheme)),
        };

        var empty = Enumerable.Range(0, shards).Where(s => !assignment.Contains(s)).ToArray();
        if (empty.Length > 0)
        {
            throw new InvalidOperationException(
                $"Scheme {scheme} with seed {seed} left shard(s) {string.Join(", ", empty)} empty. Use fewer shards, a larger Dirichlet alpha, or another seed.");
        }

        return assignment;
    }

    // Class-stratified: each class's samples are shuffled and dealt round-robin, starting where the previous class stopped,
    // so per-class counts differ by at most one across shards and shard sizes by at most one.
    private static int[] Uniform(IReadOnlyList<long> labels, long[] classes, int shards, RandomSource rng)
    {
        var assignment = new int[labels.Count];
        var next = 0;
        foreach (var c in classes)
        {
            var members = Enumerable.Range(0, labels.Count).Where(i => labels[i] == c).ToArray();
            Shuffling.Shuffle(members, rng);
            foreach (var i in members)
            {
                assignment[i] = next;
                next = (next + 1) % shards;
            }
        }

        return assignment;
    }

    private static int[] ByClass(IReadOnlyList<long> labels, long[] classes, int shards, RandomSource rng)
    {
        if (shards > classes.Length)
        {
            throw new ArgumentException(
                $"by-class needs at most as many shards as classes ({classes.Length}); got {shards}. Use uniform or dirichlet for more shards.");
        }

        var order = classes.ToArray();
        Shuffling.Shuffle(order, rng);
        var shardOfClass = new Dictionary<long, int>();
        for (var k = 0; k < order.Length; k++)
        {
            shardOfClass[order[k]] = k % shards;
        }

        return labels.Select(l => shardOfClass[l]).ToArray();
    }

    private static int[] ByDomain(IReadOnlyList<string> domains, int shards)
    {
        var names = domains.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (names.Length != shards)
        {
            throw new ArgumentException(
                $"by-domain makes one shard per source domain; the data has {names.Length} domain(s) ({string.Join(", ", names)}) but {shards} shards were requested. Use the union dataset with 2 shards.");
        }

        var index = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i, StringComparer.Ordinal);
        return domains.Select(d => index[d]).ToArray();
    }

    // For each class, shard proportions ~ Dirichlet(alpha, ..., alpha); the class's shuffled samples are cut at the cumulative proportions.
    private static int[] Dirichlet(IReadOnlyList<long> labels, long[] classes, int shards, double alpha, RandomSource rng)
    {
        var assignment = new int[labels.Count];
        var concentration = Enumerable.Repeat(alpha, shards).ToArray();
        foreach (var c in classes)
        {
            var members = Enumerable.Range(0, labels.Count).Where(i => labels[i] == c).ToArray();
            Shuffling.Shuffle(members, rng);
            var proportions = MathNet.Numerics.Distributions.Dirichlet.Sample(rng, concentration);
            var cumulative = 0.0;
            var start = 0;
            for (var s = 0; s < shards; s++)
            {
                cumulative += proportions[s];
                var end = s == shards - 1 ? members.Length : (int)Math.Round(cumulative * members.Length);
                for (var k = start; k < end; k++)
                {
                    assignment[members[k]] = s;
                }

                start = Math.Max(start, end);
            }
        }

        return assignment;
    }
}
