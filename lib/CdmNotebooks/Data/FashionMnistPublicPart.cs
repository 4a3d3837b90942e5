using MathNet.Numerics.Random;

namespace CdmNotebooks.Data;

/// <summary>
/// The committed public part of Fashion-MNIST train: a fixed number of IDs per class chosen by seed. The in-domain fine-tuned regime
/// trains its base on it (dataset <c>fashion-mnist-public</c>) and its paragon and shards on the rest of train (<c>fashion-mnist-private</c>),
/// so the base is public with respect to every shard by construction.
/// </summary>
public static class FashionMnistPublicPart
{
    /// <summary>The file name under data-manifests/datasets/.</summary>
    public const string FileName = "fashion-mnist-public.txt";

    /// <summary>Images per class in the public part (10,000 of the 60,000 training images).</summary>
    public const int PerClass = 1000;

    /// <summary>Chooses <paramref name="perClass"/> training IDs of each class with an explicit PRNG (MathNet's Mersenne Twister, stable across .NET versions); sorted, newline-terminated text.</summary>
    public static string Generate(IReadOnlyList<long> trainLabels, int perClass, int seed)
    {
        ArgumentNullException.ThrowIfNull(trainLabels);
        var rng = new MersenneTwister(seed, threadSafe: false);
        var chosen = new List<string>();
        foreach (var label in trainLabels.Distinct().Order())
        {
            var members = Enumerable.Range(0, trainLabels.Count).Where(i => trainLabels[i] == label).ToArray();
            if (perClass > members.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(perClass), $"Class {label} has only {members.Length} training images; cannot make {perClass} of them public.");
            }

            Shuffling.Shuffle(members, rng);
            chosen.AddRange(members.Take(perClass).Select(i => $"fashion-mnist/train/{i:D6}"));
        }

        chosen.Sort(StringComparer.Ordinal);
        return string.Concat(chosen.Select(id => id + "\n"));
    }

    /// <summary>Loads the committed public IDs, checking that there are <see cref="PerClass"/> x 10 distinct Fashion-MNIST training IDs.</summary>
    public static IReadOnlySet<string> Load(string manifestsDirectory)
    {
        var path = Path.Combine(manifestsDirectory, "datasets", FileName);
        const string Fix = "Restore it: git checkout -- data-manifests (or regenerate it with `cdm split --canonical`).";
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The Fashion-MNIST public-part list '{path}' is missing. {Fix}", path);
        }

        var ids = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        var bad = ids.FirstOrDefault(id => !id.StartsWith("fashion-mnist/train/", StringComparison.Ordinal));
        if (bad is not null)
        {
            throw new DataFormatException(path, $"holds '{bad}', which is not a Fashion-MNIST training ID (fashion-mnist/train/NNNNNN).", Fix);
        }

        var set = new HashSet<string>(ids, StringComparer.Ordinal);
        if (set.Count != ids.Count || set.Count != 10 * PerClass)
        {
            throw new DataFormatException(path, $"holds {ids.Count} IDs ({set.Count} distinct); the public part is {10 * PerClass} distinct IDs.", Fix);
        }

        return set;
    }
}
