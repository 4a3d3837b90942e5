namespace CdmNotebooks.Composition;

/// <summary>The mixture weights each sample received at every denoiser call of one sampling run (the raw material of attribution).</summary>
public sealed class WeightTrajectory
{
    private readonly List<long[]> _timesteps = [];
    private readonly List<float[]> _weights = [];

    /// <summary>An empty trajectory for <paramref name="batch"/> samples over <paramref name="shards"/> shards.</summary>
    public WeightTrajectory(int batch, int shards)
    {
        Batch = batch;
        Shards = shards;
    }

    /// <summary>Samples per step.</summary>
    public int Batch { get; }

    /// <summary>Shards per sample.</summary>
    public int Shards { get; }

    /// <summary>Number of recorded steps (denoiser calls), in sampling order (high noise first).</summary>
    public int Steps => _weights.Count;

    /// <summary>Timestep of each sample at step <paramref name="step"/>.</summary>
    public IReadOnlyList<long> Timesteps(int step) => _timesteps[step];

    /// <summary>Weight of <paramref name="shard"/> for <paramref name="sample"/> at <paramref name="step"/>.</summary>
    public float Weight(int step, int sample, int shard) => _weights[step][sample * Shards + shard];

    /// <summary>Appends one step: timesteps [Batch] and row-major weights [Batch * Shards].</summary>
    public void Add(long[] timesteps, float[] weights)
    {
        if (timesteps.Length != Batch || weights.Length != Batch * Shards)
        {
            throw new ArgumentException(
                $"A trajectory step needs {Batch} timesteps and {Batch * Shards} weights; got {timesteps.Length} and {weights.Length}. " +
                "The batch changed between calls (e.g. guidance doubling it) — record one trajectory per batch size.");
        }

        _timesteps.Add(timesteps);
        _weights.Add(weights);
    }
}
