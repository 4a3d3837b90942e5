using CdmNotebooks.Composition;

namespace CdmNotebooks.Protection;

/// <summary>Credit attribution from recorded weight trajectories: per generated sample and aggregated over the reverse process.</summary>
public static class Attribution
{
    /// <summary>Per-sample credit for the first <paramref name="samples"/> rows (default all; with guidance the first half are the conditional rows).</summary>
    public static IReadOnlyList<SampleAttribution> PerSample(WeightTrajectory trajectory, int? samples = null)
    {
        var rows = Rows(trajectory, samples);
        var result = new List<SampleAttribution>(rows);
        for (var b = 0; b < rows; b++)
        {
            var average = new double[trajectory.Shards];
            var final = new double[trajectory.Shards];
            for (var i = 0; i < trajectory.Shards; i++)
            {
                for (var s = 0; s < trajectory.Steps; s++)
                {
                    average[i] += trajectory.Weight(s, b, i);
                }

                average[i] /= trajectory.Steps;
                final[i] = trajectory.Weight(trajectory.Steps - 1, b, i);
            }

            result.Add(new SampleAttribution(b, average, final, Array.IndexOf(average, average.Max())));
        }

        return result;
    }

    /// <summary>Batch-mean weight per shard at every step.</summary>
    public static AttributionCurve Aggregate(WeightTrajectory trajectory, int? samples = null)
    {
        var rows = Rows(trajectory, samples);
        var curve = new List<IReadOnlyList<double>>(trajectory.Steps);
        var timesteps = new List<long>(trajectory.Steps);
        for (var s = 0; s < trajectory.Steps; s++)
        {
            var mean = new double[trajectory.Shards];
            for (var b = 0; b < rows; b++)
            {
                for (var i = 0; i < trajectory.Shards; i++)
                {
                    mean[i] += trajectory.Weight(s, b, i) / rows;
                }
            }

            curve.Add(mean);
            timesteps.Add(trajectory.Timesteps(s)[0]);
        }

        return new AttributionCurve(timesteps, curve);
    }

    private static int Rows(WeightTrajectory trajectory, int? samples)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        if (trajectory.Steps == 0)
        {
            throw new ArgumentException("The trajectory recorded no steps; compose with RecordWeights = true and sample first.", nameof(trajectory));
        }

        var rows = samples ?? trajectory.Batch;
        return rows >= 1 && rows <= trajectory.Batch
            ? rows
            : throw new ArgumentOutOfRangeException(nameof(samples), samples, $"The trajectory has {trajectory.Batch} rows.");
    }
}
