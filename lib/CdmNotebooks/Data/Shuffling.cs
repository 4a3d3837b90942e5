using MathNet.Numerics.Random;

namespace CdmNotebooks.Data;

/// <summary>Seeded in-place Fisher–Yates shuffle over MathNet's explicit PRNGs, so splits are identical on every machine and .NET version.</summary>
public static class Shuffling
{
    /// <summary>Shuffles <paramref name="items"/> in place with <paramref name="rng"/>.</summary>
    public static void Shuffle<T>(IList<T> items, RandomSource rng)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
