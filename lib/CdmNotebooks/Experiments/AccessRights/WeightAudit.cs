using CdmNotebooks.Composition;

namespace CdmNotebooks.Experiments.AccessRights;

/// <summary>Reads every weight a composition gave every sample at every sampler step and checks that unentitled shards received exactly 0; also averages w_i per step for the trajectory chart.</summary>
public sealed class WeightAudit
{
    private readonly IReadOnlyList<bool> _entitled;
    private readonly List<double[]> _sums = [];
    private readonly List<long> _counts = [];
    private readonly List<float[]> _maxima = [];
    private readonly List<double> _timesteps = [];
    private WeightTrajectory? _current;
    private int _consumed;

    /// <summary>Audits weights over shards whose entitlement is <paramref name="entitled"/> (shard order of the router).</summary>
    public WeightAudit(IReadOnlyList<bool> entitled) => _entitled = entitled;

    /// <summary>(sample, step) pairs whose weights were read.</summary>
    public long PairsChecked { get; private set; }

    /// <summary>Pairs where some unentitled shard's weight was not exactly 0.</summary>
    public long Violations { get; private set; }

    /// <summary>Pairs whose entitled weights did not sum to 1 within 1e-4.</summary>
    public long Unnormalized { get; private set; }

    /// <summary>The largest weight any unentitled shard received (0 when the proof holds).</summary>
    public float MaxUnentitledWeight { get; private set; }

    /// <summary>Steps recorded per sampling batch (the sampler's denoiser calls).</summary>
    public int Steps => _sums.Count;

    /// <summary>Consumes the steps of <paramref name="trajectory"/> not read yet (call after every sampler step and once at the end).</summary>
    public void Consume(WeightTrajectory? trajectory)
    {
        if (trajectory is null)
        {
            return;
        }

        if (!ReferenceEquals(trajectory, _current))
        {
            _current = trajectory;
            _consumed = 0;
        }

        for (; _consumed < trajectory.Steps; _consumed++)
        {
            Read(trajectory, _consumed);
        }
    }

    /// <summary>Mean weight of <paramref name="shard"/> at step index <paramref name="step"/> over every audited sample.</summary>
    public double MeanWeight(int step, int shard) => _sums[step][shard] / _counts[step];

    /// <summary>Largest weight of <paramref name="shard"/> at step <paramref name="step"/>.</summary>
    public float MaxWeight(int step, int shard) => _maxima[step][shard];

    /// <summary>The (first batch's) timestep of step index <paramref name="step"/>.</summary>
    public double Timestep(int step) => _timesteps[step];

    private void Read(WeightTrajectory trajectory, int step)
    {
        if (trajectory.Shards != _entitled.Count)
        {
            throw new InvalidOperationException($"The trajectory covers {trajectory.Shards} shards but the entitlement lists {_entitled.Count}.");
        }

        while (_sums.Count <= step)
        {
            _sums.Add(new double[_entitled.Count]);
            _maxima.Add(new float[_entitled.Count]);
            _counts.Add(0);
            _timesteps.Add(trajectory.Timesteps(step)[0]);
        }

        for (var sample = 0; sample < trajectory.Batch; sample++)
        {
            var sum = 0.0;
            var violated = false;
            for (var shard = 0; shard < _entitled.Count; shard++)
            {
                var w = trajectory.Weight(step, sample, shard);
                _sums[step][shard] += w;
                _maxima[step][shard] = Math.Max(_maxima[step][shard], w);
                if (_entitled[shard])
                {
                    sum += w;
                }
                else if (w != 0f)
                {
                    violated = true;
                    MaxUnentitledWeight = Math.Max(MaxUnentitledWeight, Math.Abs(w));
                }
            }

            _counts[step]++;
            PairsChecked++;
            Violations += violated ? 1 : 0;
            Unnormalized += Math.Abs(sum - 1) <= 1e-4 ? 0 : 1; // NaN counts as unnormalized
        }
    }
}
