using System.Security.Cryptography;
using System.Text;
using MathNet.Numerics.Random;

namespace CdmNotebooks.Data;

/// <summary>The committed held-out (test) part of MNIST-10k, which ships none: a fixed number of IDs per digit chosen by seed.</summary>
public static class Mnist10kHeldOut
{
    /// <summary>The file name under data-manifests/datasets/.</summary>
    public const string FileName = "mnist10k-heldout.txt";

    /// <summary>Chooses <paramref name="perDigit"/> IDs of each digit with an explicit PRNG (MathNet's Mersenne Twister, stable across .NET versions); sorted, newline-terminated text.</summary>
    public static string Generate(IReadOnlyList<int> countsPerDigit, int perDigit, int seed)
    {
        var rng = new MersenneTwister(seed, threadSafe: false);
        var chosen = new List<string>();
        for (var digit = 0; digit < countsPerDigit.Count; digit++)
        {
            if (perDigit > countsPerDigit[digit])
            {
                throw new ArgumentOutOfRangeException(nameof(perDigit), $"Digit {digit} has only {countsPerDigit[digit]} images; cannot hold out {perDigit}.");
            }

            var order = Enumerable.Range(0, countsPerDigit[digit]).ToArray();
            Shuffling.Shuffle(order, rng);
            chosen.AddRange(order.Take(perDigit).Select(i => $"mnist10k/{digit}/{i:D4}"));
        }

        chosen.Sort(StringComparer.Ordinal);
        return string.Concat(chosen.Select(id => id + "\n"));
    }

    /// <summary>Loads the committed held-out IDs and checks them against the manifest's sha256.</summary>
    public static IReadOnlySet<string> Load(string manifestsDirectory, DatasetManifest manifest)
    {
        var path = Path.Combine(manifestsDirectory, "datasets", manifest.HeldOutIdsFile ?? FileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The MNIST-10k held-out list '{path}' is missing. Restore it: git checkout -- data-manifests.", path);
        }

        var bytes = File.ReadAllBytes(path);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (manifest.HeldOutIdsSha256 != null && sha != manifest.HeldOutIdsSha256)
        {
            throw new DataFormatException(path, $"sha256 {sha} differs from the mnist10k manifest's {manifest.HeldOutIdsSha256}.",
                "Restore it: git checkout -- data-manifests (or regenerate it with `cdm split --verify`).");
        }

        return new HashSet<string>(Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries), StringComparer.Ordinal);
    }
}
