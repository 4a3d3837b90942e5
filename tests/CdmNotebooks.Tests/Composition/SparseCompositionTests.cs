using CdmNotebooks.Composition;
using CdmNotebooks.Composition.Analytic;
using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.Composition;

public sealed class SparseCompositionTests
{
    private const double Threshold = 0.01;
    private const int Batch = 200;
    private const int Steps = 50;

    [Fact]
    public void SparseItoStaysWithinTheStatedBoundOfDenseItoAtEveryStepOfItsPath()
    {
        var set = new GaussianShardSet();
        var tandem = new Tandem(set, Threshold);
        using var samples = new DdpmSampler().Sample(tandem, [Batch, 2, 1, 1], Conditioning.None, new Generator(11), new SamplingOptions { Steps = Steps, Device = CPU });
        Assert.Equal(Steps, tandem.Checked);
        // The bound is |D_dense - D_sparse| <= eps * max over dropped k of |D_k - D_sparse| (SparseSelection); it is exact algebra, so
        // only float rounding may exceed it.
        Assert.True(tandem.WorstExcess < 1e-4, $"sparse Ito exceeded the stated bound by {tandem.WorstExcess:E2} (step {tandem.WorstStep})");
        Assert.True(tandem.LargestDifference > 1e-6, "sparse and dense Ito never differed, so the bound was not exercised");
        // Exact weights are a martingale along the path: a dropped shard's expected later weight stays below the threshold, and it
        // reaches 0.5 with probability below threshold / 0.5. Measured: 400 pairs dropped, 72 back above 0.01, 1 back above 0.5,
        // mean dropped weight 9.1e-4, largest 0.68.
        var audit = SparsityAudit.Of([tandem.DenseTrajectory], Threshold);
        Assert.True(audit.DroppedPairs > Batch, $"only {audit.DroppedPairs} (sample, shard) pairs were dropped");
        Assert.True(audit.ReturnedAboveHalf <= 2 * Threshold * audit.DroppedPairs,
            $"{audit.ReturnedAboveHalf} of {audit.DroppedPairs} dropped shards came back to weight 0.5");
        Assert.True(audit.MeanDroppedWeight < 2 * Threshold, $"the dropped shards' dense weight averaged {audit.MeanDroppedWeight:E2}");
    }

    [Fact]
    public void SparseItoEvaluatesEveryShardAtFirstAndOneShardPerSampleOnceTheWeightsConcentrate()
    {
        var set = new GaussianShardSet();
        var dense = new ComposedDenoiser(set.Shards.Select(s => (IDenoiser)new GaussianShardDenoiser(s, set.Schedule)).ToList(), new ItoDensityRouter(set.Priors, set.Schedule));
        var sparseShards = set.Shards.Select(s => new GaussianShardDenoiser(s, set.Schedule)).ToArray();
        var sparse = new ComposedDenoiser(sparseShards, new ItoDensityRouter(set.Priors, set.Schedule),
            options: new CompositionOptions(new SparseSelection(Threshold), RecordWeights: true));
        var options = new SamplingOptions { Steps = Steps, Device = CPU };
        using var denseSamples = new DdpmSampler().Sample(dense, [Batch, 2, 1, 1], Conditioning.None, new Generator(12), options);
        using var sparseSamples = new DdpmSampler().Sample(sparse, [Batch, 2, 1, 1], Conditioning.None, new Generator(12), options);

        Assert.Equal(3L * Batch * Steps, dense.ShardEvaluations);
        Assert.Equal(sparse.ShardEvaluations, sparseShards.Sum(s => s.Calls));
        var trajectory = sparse.Trajectory!;
        double Evaluated(int step) => Enumerable.Range(0, Batch).Average(b => Enumerable.Range(0, 3).Count(k => trajectory.Weight(step, b, k) > 0));
        // At the start all log-densities are equal, so the weights are the priors (0.5, 0.3, 0.2): every shard is needed.
        Assert.Equal(3.0, Evaluated(0));
        // Measured: 3.00 per sample until step 25 of 50, 1.47 at step 35, 1.02 at step 43, 1.00 from step 44 (2.30 per sample-step overall).
        for (var step = Steps * 85 / 100; step < Steps; step++)
        {
            Assert.True(Evaluated(step) <= 1.05, $"step {step}: {Evaluated(step):F2} shards per sample after the weights concentrated");
        }

        Assert.True(sparse.ShardEvaluations < 0.85 * dense.ShardEvaluations, $"sparse evaluated {sparse.ShardEvaluations} of dense's {dense.ShardEvaluations} shard-samples");
        var meanDifference = (sparseSamples - denseSamples).abs().mean().item<float>();
        Assert.True(meanDifference < 0.05, $"sparse and dense Ito samples from identical noise differ by {meanDifference:F4} per coordinate");
    }

    [Fact]
    public void SamplesWhoseShardThePriorDecidesNeverReachTheRouterNetwork()
    {
        // Class 0 and 1 only in shard 0, class 3 only in shard 2, class 2 in shards 1 and 2.
        var priors = ShardPriors.FromClassCounts([[10, 10, 0, 0], [0, 0, 10, 0], [0, 0, 10, 10]]);
        var counting = new CountingRouter(3);
        var router = new PriorDecidedRouter(counting, priors);
        using var x = randn(6, 2, 4, 4, generator: new Generator(13));
        using var t = full(6, 500L, ScalarType.Int64);
        using var labels = tensor(new long[] { 0, 1, 2, 3, 2, Conditioning.Unconditional });

        using var weights = router.Weights(x, t, Conditioning.Classes(labels), ShardMask.All(3));
        Assert.Equal(new[] { 2L, 2L, Conditioning.Unconditional }, counting.Labels);
        Assert.Equal(3, router.InnerSamples);
        Assert.Equal(3, router.DecidedSamples);
        var expected = new[] { 1f, 0f, 0f, 1f, 0f, 0f, 1f / 3, 1f / 3, 1f / 3, 0f, 0f, 1f };
        var rows = weights.data<float>().ToArray();
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], rows[i], 6);
        }

        // Masking shard 1 leaves class 2 to shard 2 alone: decided as well.
        counting.Labels.Clear();
        using var masked = router.Weights(x, t, Conditioning.Classes(labels), ShardMask.Only(3, [0, 2]));
        Assert.Equal(new[] { Conditioning.Unconditional }, counting.Labels);
        Assert.Equal(1f, masked[4, 2].item<float>());
    }

    [Fact]
    public void AByClassCompositionWithTheClassGivenRunsNoRouterAndOneShardPerSampleStep()
    {
        var set = new GaussianShardSet();
        var priors = ShardPriors.FromClassCounts([[5, 5, 0], [0, 0, 5], [0, 0, 0, 5]]);
        var counting = new CountingRouter(3);
        var composed = new ComposedDenoiser(set.Denoisers, new PriorDecidedRouter(counting, priors), options: new CompositionOptions(new SparseSelection(Threshold)));
        using var labels = tensor(Enumerable.Range(0, 40).Select(i => (long)(i % 4)).ToArray());
        using var samples = new DdpmSampler().Sample(composed, [40, 2, 1, 1], Conditioning.Classes(labels), new Generator(14), new SamplingOptions { Steps = 20, Device = CPU });

        Assert.Equal(0, counting.Calls);
        Assert.Equal(40L * 20, composed.ShardEvaluations);
        Assert.Equal(new long[] { 20 * 20, 10 * 20, 10 * 20 }, set.Denoisers.Select(d => d.Calls).ToArray());
    }

    [Fact]
    public void PriorDecidedRouterRefusesPathRouters()
    {
        var set = new GaussianShardSet();
        var error = Assert.Throws<ArgumentException>(() => new PriorDecidedRouter(new ItoDensityRouter(set.Priors, set.Schedule), set.Priors));
        Assert.Contains("path router", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AuditCountsDroppedShardsWhoseWeightComesBack()
    {
        var trajectory = new WeightTrajectory(1, 3);
        trajectory.Add([3], [0.90f, 0.095f, 0.005f]);
        trajectory.Add([2], [0.99f, 0.005f, 0.005f]);
        trajectory.Add([1], [0.40f, 0.005f, 0.595f]);
        trajectory.Add([0], [0.99f, 0.005f, 0.005f]);
        var audit = SparsityAudit.Of([trajectory], 0.01);

        Assert.Equal(new[] { 2.0, 1.0, 1.0, 1.0 }, audit.ShardsPerStep);
        Assert.Equal(2, audit.DroppedPairs);
        Assert.Equal(1, audit.ReturnedAboveThreshold);
        Assert.Equal(1, audit.ReturnedAboveHalf);
        Assert.Equal(0.6, audit.MaxDroppedWeight, 5);
        Assert.Equal(1, audit.ConcentratedFrom(1.0));
    }

    /// <summary>A router that records which samples reached it and gives uniform weights over the allowed shards.</summary>
    private sealed class CountingRouter(int shards) : IRouter
    {
        public int ShardCount => shards;

        public int Calls { get; private set; }

        public List<long> Labels { get; } = [];

        public Tensor Weights(Tensor x, Tensor t, Conditioning conditioning, ShardMask mask)
        {
            Calls++;
            Labels.AddRange(conditioning.ClassLabels!.data<long>().ToArray());
            return RouterMath.NormalizeLogWeights(zeros(x.shape[0], shards), mask);
        }
    }

    /// <summary>
    /// Drives a sparse Ito composition along its own DDPM path while a dense Ito composition follows the very same states, so at every
    /// step the dense output, the dense weights and each shard's own prediction are known where the sparse output was made.
    /// </summary>
    private sealed class Tandem : IDenoiser, ISamplingPathObserver
    {
        private readonly GaussianShardDenoiser[] _probes;
        private readonly ComposedDenoiser _sparse;
        private readonly ComposedDenoiser _dense;

        public Tandem(GaussianShardSet set, double threshold)
        {
            _probes = set.Shards.Select(s => new GaussianShardDenoiser(s, set.Schedule)).ToArray();
            _sparse = new ComposedDenoiser(set.Denoisers, new ItoDensityRouter(set.Priors, set.Schedule),
                options: new CompositionOptions(new SparseSelection(threshold), RecordWeights: true));
            _dense = new ComposedDenoiser(set.Shards.Select(s => (IDenoiser)new GaussianShardDenoiser(s, set.Schedule)).ToList(),
                new ItoDensityRouter(set.Priors, set.Schedule), options: new CompositionOptions(RecordWeights: true));
            Schedule = set.Schedule;
        }

        public NoiseSchedule Schedule { get; }

        public int Checked { get; private set; }

        public double WorstExcess { get; private set; } = double.NegativeInfinity;

        public int WorstStep { get; private set; }

        public double LargestDifference { get; private set; }

        public WeightTrajectory DenseTrajectory => _dense.Trajectory!;

        public void BeginSampling(int batch)
        {
            _sparse.BeginSampling(batch);
            _dense.BeginSampling(batch);
        }

        public Tensor PredictX0(Tensor x, Tensor t, Conditioning conditioning)
        {
            using var scope = NewDisposeScope();
            var sparse = _sparse.PredictX0(x, t, conditioning);
            var dense = _dense.PredictX0(x, t, conditioning);
            var step = _sparse.Trajectory!.Steps - 1;
            var batch = (int)x.shape[0];
            var own = _probes.Select(p => p.PredictX0(x, t, conditioning).reshape(batch, -1)).ToArray();
            var difference = (dense - sparse).reshape(batch, -1).abs().max(1).values.data<float>().ToArray();
            var flatSparse = sparse.reshape(batch, -1);
            for (var b = 0; b < batch; b++)
            {
                double eps = 0, spread = 0;
                for (var k = 0; k < own.Length; k++)
                {
                    if (_sparse.Trajectory.Weight(step, b, k) > 0)
                    {
                        continue;
                    }

                    eps += _dense.Trajectory!.Weight(step, b, k);
                    spread = Math.Max(spread, (own[k][b] - flatSparse[b]).abs().max().item<float>());
                }

                var excess = difference[b] - eps * spread;
                LargestDifference = Math.Max(LargestDifference, difference[b]);
                if (excess > WorstExcess)
                {
                    WorstExcess = excess;
                    WorstStep = step;
                }
            }

            Checked++;
            return sparse.MoveToOuterDisposeScope();
        }
    }
}
