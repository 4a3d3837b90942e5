using MathNet.Numerics.Random;
using MathNet.Numerics.Statistics;

namespace CdmNotebooks.TextToImage;

/// <summary>Percentile-bootstrap interval of a mean (seeded Mersenne Twister resampling, MathNet quantiles).</summary>
internal static class PercentileBootstrap
{
    /// <summary>The (low, high) percentile interval at <paramref name="level"/> of the mean of <paramref name="values"/> over <paramref name="resamples"/> resamples with replacement.</summary>
    public static (double Low, double High) MeanInterval(IReadOnlyList<double> values, int resamples, int seed, double level)
    {
        if (values.Count == 0 || resamples < 1 || level is <= 0 or >= 1)
        {
            throw new ArgumentException($"A bootstrap needs values (got {values.Count}), resamples >= 1 (got {resamples}) and a level in (0,1) (got {level}).");
        }

        var rng = new MersenneTwister(seed, threadSafe: false);
        var means = new double[resamples];
        for (var r = 0; r < resamples; r++)
        {
            var sum = 0.0;
            for (var i = 0; i < values.Count; i++)
            {
                sum += values[rng.Next(values.Count)];
            }

            means[r] = sum / values.Count;
        }

        var tail = (1 - level) / 2;
        return (means.Quantile(tail), means.Quantile(1 - tail));
    }
}
