using CdmNotebooks.Data;
using MathNet.Numerics.Random;

namespace CdmNotebooks.Composition;

/// <summary>
/// The public reference set that compartmentalized (density-ratio) heads train against: a seeded half of the dataset's held-out part,
/// which no shard trains on. One definition for `cdm` and the experiments, so a head trained by either sees the same images.
/// </summary>
public static class RouterReference
{
    /// <summary>Seed of `cdm` commands, which take no run seed: that of an experiment run with the default seed.</summary>
    public const int DefaultSeed = 0;

    /// <summary>Positions in the held-out part (of <paramref name="heldOutCount"/> images) of the reference set of a run with <paramref name="seed"/>.</summary>
    public static int[] Indices(int heldOutCount, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(heldOutCount, 2);
        var order = Enumerable.Range(0, heldOutCount).ToArray();
        Shuffling.Shuffle(order, new MersenneTwister(seed + 4242, threadSafe: false));
        return order.Take(heldOutCount / 2).ToArray();
    }

    /// <summary>The reference set of a run with <paramref name="seed"/>, taken from <paramref name="heldOut"/> (the dataset's test part).</summary>
    public static LabeledImages Of(LabeledImages heldOut, int seed)
    {
        ArgumentNullException.ThrowIfNull(heldOut);
        return heldOut.Subset(Indices(heldOut.Count, seed));
    }
}
