using CdmNotebooks.Composition;
using CdmNotebooks.Protection;

namespace CdmNotebooks.Experiments.Attribution;

/// <summary>Every generated sample's mixture weights over the reverse process, collected from the weight trajectories of successive sampling batches; the source of per-sample credit and of the weight-vs-timestep curves.</summary>
/// <remarks>
/// Credit follows the paper (Sec. 4, Fig. 3): w_i(x_t, t) = P(shard i | x_t) says how much shard i shaped the sample at step t.
/// Per-sample credit (time-averaged and final-step weights, credited shard) comes from <see cref="Protection.Attribution.PerSample"/>;
/// the ledger adds what one batch cannot give: samples from many batches, and mean curves over any subset of them (e.g. per judged domain).
/// </remarks>
public sealed class CreditLedger
{
    private readonly List<float[]> _samples = [];
    private readonly List<SampleAttribution> _credit = [];
    private long[]? _timesteps;

    /// <summary>An empty ledger over <paramref name="shards"/> shards.</summary>
    public CreditLedger(int shards)
    {
        if (shards < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(shards), shards, "A ledger needs at least one shard.");
        }

        Shards = shards;
    }

    /// <summary>Number of shards each weight vector covers.</summary>
    public int Shards { get; }

    /// <summary>Number of samples recorded.</summary>
    public int Count => _samples.Count;

    /// <summary>Denoiser calls per sample (0 before the first batch).</summary>
    public int Steps => _timesteps?.Length ?? 0;

    /// <summary>The timestep of each denoiser call, in sampling order (high noise first).</summary>
    public IReadOnlyList<long> Timesteps => _timesteps ?? [];

    /// <summary>Appends every sample of <paramref name="trajectory"/>; all batches must follow the same timestep sequence.</summary>
    public void Add(WeightTrajectory trajectory)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        if (trajectory.Shards != Shards)
        {
            throw new ArgumentException($"The trajectory weighs {trajectory.Shards} shards; this ledger records {Shards}.", nameof(trajectory));
        }

        if (trajectory.Steps == 0)
        {
            throw new ArgumentException("The trajectory is empty: sample with CompositionOptions(RecordWeights: true) before adding it.", nameof(trajectory));
        }

        var timesteps = Enumerable.Range(0, trajectory.Steps).Select(step => trajectory.Timesteps(step)[0]).ToArray();
        for (var step = 0; step < trajectory.Steps; step++)
        {
            if (trajectory.Timesteps(step).Any(t => t != timesteps[step]))
            {
                throw new ArgumentException($"Samples of one batch were at different timesteps at step {step}; credit curves need one shared timestep sequence.", nameof(trajectory));
            }
        }

        if (_timesteps is null)
        {
            _timesteps = timesteps;
        }
        else if (!_timesteps.AsSpan().SequenceEqual(timesteps))
        {
            throw new ArgumentException("This batch followed a different timestep sequence than the earlier ones; sample every batch with the same sampler and step count.", nameof(trajectory));
        }

        for (var sample = 0; sample < trajectory.Batch; sample++)
        {
            var weights = new float[trajectory.Steps * Shards];
            for (var step = 0; step < trajectory.Steps; step++)
            {
                for (var shard = 0; shard < Shards; shard++)
                {
                    weights[step * Shards + shard] = trajectory.Weight(step, sample, shard);
                }
            }

            _samples.Add(weights);
        }

        _credit.AddRange(Protection.Attribution.PerSample(trajectory));
    }

    /// <summary>Weight of <paramref name="shard"/> for <paramref name="sample"/> at denoiser call <paramref name="step"/>.</summary>
    public double Weight(int sample, int step, int shard) => _samples[sample][step * Shards + shard];

    /// <summary>Credit of <paramref name="sample"/> (in recording order): time-averaged and final-step weights and the credited shard.</summary>
    public SampleAttribution Credit(int sample) => _credit[sample];

    /// <summary>Mean weight of <paramref name="shard"/> at each denoiser call over <paramref name="samples"/> (all samples when null); empty when no sample is selected.</summary>
    public double[] MeanCurve(int shard, IReadOnlyCollection<int>? samples = null)
    {
        var selected = samples ?? Enumerable.Range(0, Count).ToArray();
        if (selected.Count == 0)
        {
            return [];
        }

        return Enumerable.Range(0, Steps).Select(step => selected.Average(sample => Weight(sample, step, shard))).ToArray();
    }

    /// <summary>Index of the largest entry (the credited shard; ties go to the lower index).</summary>
    public static int ArgMax(IReadOnlyList<double> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var best = 0;
        for (var i = 1; i < weights.Count; i++)
        {
            if (weights[i] > weights[best])
            {
                best = i;
            }
        }

        return best;
    }
}
