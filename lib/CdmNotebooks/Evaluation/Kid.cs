using static TorchSharp.torch;

namespace CdmNotebooks.Evaluation;

/// <summary>Kernel Inception-style distance on any features: unbiased MMD^2 with the cubic polynomial kernel k(x,y) = (x.y/d + 1)^3 (Bińkowski et al. 2018).</summary>
public static class Kid
{
    /// <summary>Averages the unbiased MMD^2 over <paramref name="subsets"/> random subsets of <paramref name="subsetSize"/> rows drawn without replacement from each set.</summary>
    /// <remarks>When a set has fewer rows than <paramref name="subsetSize"/>, the subset size is reduced to the smaller set's size.</remarks>
    public static KidResult Compute(Tensor first, Tensor second, int subsets = 100, int subsetSize = 1000, int seed = 0)
    {
        const string why = "the unbiased MMD^2 estimator excludes the diagonal, so each subset needs at least 2 samples.";
        FeatureChecks.RequireMatrix(first, nameof(first), 2, why);
        FeatureChecks.RequireMatrix(second, nameof(second), 2, why);
        FeatureChecks.RequireSameDimension(first, nameof(first), second, nameof(second));
        if (subsets < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(subsets), subsets, "subsets must be >= 1.");
        }

        if (subsetSize < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(subsetSize), subsetSize, "subsetSize must be >= 2.");
        }

        var n1 = (int)first.shape[0];
        var n2 = (int)second.shape[0];
        var m = Math.Min(subsetSize, Math.Min(n1, n2));
        var random = new Random(seed);
        var estimates = new double[subsets];
        using (NewDisposeScope())
        {
            var a = first.detach().to(CPU).to(ScalarType.Float64);
            var b = second.detach().to(CPU).to(ScalarType.Float64);
            for (var s = 0; s < subsets; s++)
            {
                using var step = NewDisposeScope();
                estimates[s] = UnbiasedMmd2(
                    a.index_select(0, tensor(SampleWithoutReplacement(random, n1, m))),
                    b.index_select(0, tensor(SampleWithoutReplacement(random, n2, m))));
            }
        }

        var mean = estimates.Average();
        var std = subsets > 1 ? Math.Sqrt(estimates.Sum(e => (e - mean) * (e - mean)) / (subsets - 1)) : double.NaN;
        return new KidResult(mean, std, std / Math.Sqrt(subsets), subsets, m);
    }

    /// <summary>Unbiased MMD^2 U-statistic between two equally sized float64 samples [m,d].</summary>
    internal static double UnbiasedMmd2(Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        var m = x.shape[0];
        var d = x.shape[1];
        var kxx = x.matmul(x.t()).div(d).add(1).pow(3);
        var kyy = y.matmul(y.t()).div(d).add(1).pow(3);
        var kxy = x.matmul(y.t()).div(d).add(1).pow(3);
        var withinX = (kxx.sum().item<double>() - kxx.diagonal().sum().item<double>()) / (m * (m - 1));
        var withinY = (kyy.sum().item<double>() - kyy.diagonal().sum().item<double>()) / (m * (m - 1));
        var across = kxy.sum().item<double>() / ((double)m * m);
        return withinX + withinY - 2 * across;
    }

    private static long[] SampleWithoutReplacement(Random random, int population, int count)
    {
        // Partial Fisher-Yates: the first `count` entries are a uniform sample without replacement.
        var indices = Enumerable.Range(0, population).ToArray();
        for (var i = 0; i < count; i++)
        {
            var j = random.Next(i, population);
            (indices[i], indices[j]) = (indices[j], indices[i]);
        }

        return indices.Take(count).Select(i => (long)i).ToArray();
    }
}
