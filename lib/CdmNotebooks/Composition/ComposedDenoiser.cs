using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.Composition;

/// <summary>The compartmentalized model as one denoiser: D(x, t) = sum_i w_i(x, t) D_i(x, t) per sample, so every sampler runs on it unchanged.</summary>
/// <remarks>
/// Because the weights sum to 1, sum_i w_i D_i is the denoiser of the mixture whose score is sum_i w_i s_i (Tweedie's formula is linear
/// in the score). Shards excluded by the mask get weight exactly 0 and are never called (they may be null, i.e. never loaded).
/// With sparse selection each shard is called once per step on just the samples that need it (batched), not once per sample.
/// </remarks>
public sealed class ComposedDenoiser : IDenoiser, ISamplingPathObserver
{
    private readonly IDenoiser?[] _shards;
    private readonly IRouter _router;
    private readonly ShardMask _mask;
    private readonly SparseSelection _sparsity;
    private readonly bool _record;

    /// <summary>Composes <paramref name="shards"/> (index i = router output i; null allowed only where <paramref name="mask"/> excludes the shard).</summary>
    public ComposedDenoiser(IReadOnlyList<IDenoiser?> shards, IRouter router, ShardMask? mask = null, CompositionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(shards);
        _router = router ?? throw new ArgumentNullException(nameof(router));
        if (shards.Count != router.ShardCount)
        {
            throw new ArgumentException($"The router weighs {router.ShardCount} shards but {shards.Count} were given; they must correspond one to one.", nameof(shards));
        }

        _mask = mask ?? ShardMask.All(shards.Count);
        if (_mask.Count != shards.Count)
        {
            throw new ArgumentException($"The mask covers {_mask.Count} shards but {shards.Count} were given.", nameof(mask));
        }

        for (var i = 0; i < shards.Count; i++)
        {
            if (_mask[i] && shards[i] is null)
            {
                throw new ArgumentException($"Shard {i} is allowed by the mask but no denoiser was given for it.", nameof(shards));
            }
        }

        _shards = shards.ToArray();
        var present = _shards.OfType<IDenoiser>().ToList();
        Schedule = present[0].Schedule;
        foreach (var shard in present)
        {
            if (!SameSchedule(shard.Schedule, Schedule))
            {
                throw new ArgumentException(
                    $"Shards disagree on the noise schedule ({Schedule.Kind}/{Schedule.Steps} vs {shard.Schedule.Kind}/{shard.Schedule.Steps}); " +
                    "their predictions at the same t would mean different noise levels. Train shards with one schedule.", nameof(shards));
            }
        }

        var resolved = options ?? CompositionOptions.Default;
        _sparsity = (resolved.Sparsity ?? SparseSelection.Dense).Validated();
        _record = resolved.RecordWeights;
    }

    /// <inheritdoc />
    public NoiseSchedule Schedule { get; }

    /// <summary>Which shards are evaluated per sample (dense or sparse).</summary>
    public SparseSelection Sparsity => _sparsity;

    /// <summary>The router giving the weights (benchmarks read its counters).</summary>
    public IRouter Router => _router;

    /// <summary>Number of shards (including masked ones).</summary>
    public int ShardCount => _shards.Length;

    /// <summary>Weights recorded since the last <see cref="BeginSampling"/> (null unless recording was requested and a step ran).</summary>
    public WeightTrajectory? Trajectory { get; private set; }

    /// <summary>Shard evaluations per sample, summed over calls since <see cref="BeginSampling"/> (dense = allowed shards x steps).</summary>
    public long ShardEvaluations { get; private set; }

    /// <summary>Samples passed through <see cref="PredictX0"/> since <see cref="BeginSampling"/>.</summary>
    public long SampleEvaluations { get; private set; }

    /// <inheritdoc />
    public void BeginSampling(int batch)
    {
        Trajectory = null;
        ShardEvaluations = 0;
        SampleEvaluations = 0;
        (_router as IPathRouter)?.BeginPath(batch);
    }

    /// <inheritdoc />
    public Tensor PredictX0(Tensor x, Tensor t, Conditioning conditioning)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(t);
        ArgumentNullException.ThrowIfNull(conditioning);
        using var scope = NewDisposeScope();
        var batch = x.shape[0];
        var weights = _router.Weights(x, t, conditioning, _mask);
        var keep = _sparsity.IsDense ? null : Selected(weights);
        if (keep is not null)
        {
            weights = weights * keep;
            weights = weights / weights.sum(1, keepdim: true);
        }

        if (_record)
        {
            Record(t, weights);
        }

        var pathRouter = _router as IPathRouter;
        var perShard = pathRouter is null ? null : zeros(new[] { batch, (long)_shards.Length }.Concat(x.shape.Skip(1)).ToArray(), x.dtype, x.device);
        var evaluated = pathRouter is null ? null : zeros(batch, _shards.Length, ScalarType.Bool, x.device);
        var output = zeros_like(x);
        var broadcast = new long[x.dim()];
        Array.Fill(broadcast, 1L);
        for (var i = 0; i < _shards.Length; i++)
        {
            if (!_mask[i])
            {
                continue;
            }

            var column = weights.select(1, i);
            if (keep is null)
            {
                var x0 = _shards[i]!.PredictX0(x, t, conditioning);
                broadcast[0] = batch;
                output.add_(column.reshape(broadcast) * x0);
                perShard?.select(1, i).copy_(x0);
                evaluated?.select(1, i).fill_(true);
                ShardEvaluations += batch;
                continue;
            }

            var rows = keep.select(1, i).nonzero().flatten();
            var count = rows.shape[0];
            if (count == 0)
            {
                continue;
            }

            var subset = Rows(conditioning, rows);
            var x0Subset = _shards[i]!.PredictX0(x.index_select(0, rows), t.index_select(0, rows), subset);
            broadcast[0] = count;
            output.index_add_(0, rows, column.index_select(0, rows).reshape(broadcast) * x0Subset, 1.0);
            perShard?.select(1, i).index_copy_(0, rows, x0Subset);
            evaluated?.select(1, i).index_fill_(0, rows, true);
            ShardEvaluations += count;
        }

        SampleEvaluations += batch;
        if (pathRouter is not null)
        {
            pathRouter.Observe(x, t, perShard!, evaluated!);
        }

        return output.MoveToOuterDisposeScope();
    }

    private Tensor Selected(Tensor weights)
    {
        var keep = weights.ge(_sparsity.Threshold);
        if (_sparsity.TopK > 0 && _sparsity.TopK < weights.shape[1])
        {
            var top = weights.topk(_sparsity.TopK, dim: 1).indexes;
            var inTop = zeros_like(keep).scatter_(1, top, ones_like(top, ScalarType.Bool));
            keep = keep.logical_and(inTop);
        }

        // The largest weight is always evaluated, so every sample keeps a non-empty, normalizable set.
        var best = weights.argmax(1, keepdim: true);
        keep = keep.scatter(1, best, ones_like(best, ScalarType.Bool));
        return keep.to(weights.dtype);
    }

    private void Record(Tensor t, Tensor weights)
    {
        var batch = (int)weights.shape[0];
        Trajectory ??= new WeightTrajectory(batch, _shards.Length);
        Trajectory.Add(t.to(ScalarType.Int64).cpu().data<long>().ToArray(), weights.to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray());
    }

    private static Conditioning Rows(Conditioning conditioning, Tensor rows) =>
        new(conditioning.ClassLabels?.index_select(0, rows), conditioning.Embedding?.index_select(0, rows));

    private static bool SameSchedule(NoiseSchedule a, NoiseSchedule b) =>
        ReferenceEquals(a, b) || (a.Kind == b.Kind && a.Steps == b.Steps && a.AlphasCumprod.AsSpan().SequenceEqual(b.AlphasCumprod));
}
