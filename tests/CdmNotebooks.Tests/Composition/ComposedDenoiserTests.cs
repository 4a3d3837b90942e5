using CdmNotebooks.Composition;
using CdmNotebooks.Composition.Analytic;
using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.Composition;

public sealed class ComposedDenoiserTests
{
    private static readonly long[] TestTimesteps = [0, 50, 200, 500, 800, 999];

    [Fact]
    public void ExactPosteriorWeightsGiveTheMixtureScore()
    {
        var set = new GaussianShardSet();
        var composed = new ComposedDenoiser(set.Denoisers, set.Exact);
        using var x = randn([96, 2, 1, 1], generator: new Generator(1)) * 3;
        foreach (var step in TestTimesteps)
        {
            using var scope = NewDisposeScope();
            var t = full(96, step, ScalarType.Int64);
            var composedScore = set.ScoreFromDenoiser(x, t, composed.PredictX0(x, t, Conditioning.None));
            var mixtureScore = set.MixtureScore(x, t);
            var relative = ((composedScore - mixtureScore).norm() / mixtureScore.norm()).item<float>();
            Assert.True(relative < 1e-3, $"t={step}: composed score differs from the mixture score by {relative:E2} (relative L2)");
        }
    }

    [Fact]
    public void NaiveAveragingDoesNotGiveTheMixture()
    {
        var set = new GaussianShardSet();
        var naive = new ComposedDenoiser(set.Denoisers, new NaiveAveragingRouter(set.Priors));
        var exact = new ComposedDenoiser(set.Denoisers, set.Exact);
        using var x = randn([96, 2, 1, 1], generator: new Generator(2)) * 3;
        using var t = full(96, 200L, ScalarType.Int64);
        using var naiveScore = set.ScoreFromDenoiser(x, t, naive.PredictX0(x, t, Conditioning.None));
        using var mixtureScore = set.MixtureScore(x, t);
        var relative = ((naiveScore - mixtureScore).norm() / mixtureScore.norm()).item<float>();
        Assert.True(relative > 0.3, $"naive averaging matched the mixture score unexpectedly well ({relative:F3})");

        var options = new SamplingOptions { Steps = 100, Device = CPU };
        using var exactSamples = new DdpmSampler().Sample(exact, [400, 2, 1, 1], Conditioning.None, new Generator(3), options);
        using var naiveSamples = new DdpmSampler().Sample(naive, [400, 2, 1, 1], Conditioning.None, new Generator(3), options);
        var radius = 3 * Math.Sqrt(GaussianShardSet.Variance);
        var exactNearModes = set.NearestMode(exactSamples).Distance.Count(d => d < radius) / 400.0;
        var naiveNearModes = set.NearestMode(naiveSamples).Distance.Count(d => d < radius) / 400.0;
        Assert.True(exactNearModes > 0.97, $"only {exactNearModes:P1} of exact-mixture samples are within 3 sigma of a mode");
        Assert.True(naiveNearModes < 0.2, $"{naiveNearModes:P1} of naive-average samples are near a mode; they should land between modes");
    }

    [Fact]
    public void MaskedShardsGetZeroWeightAreNeverCalledAndTheRestRenormalize()
    {
        var set = new GaussianShardSet();
        var mask = ShardMask.Only(3, [0, 1]);
        var composed = new ComposedDenoiser([set.Denoisers[0], set.Denoisers[1], null], set.Exact, mask, new CompositionOptions(RecordWeights: true));
        var pair = new GaussianPosteriorRouter(set.Shards[..2], ShardPriors.FromWeights([0.5, 0.3]), set.Schedule);
        var reference = new ComposedDenoiser(set.Denoisers[..2], pair);
        using var x = randn([64, 2, 1, 1], generator: new Generator(4)) * 3;
        using var t = full(64, 300L, ScalarType.Int64);
        composed.BeginSampling(64);
        using var masked = composed.PredictX0(x, t, Conditioning.None);
        using var expected = reference.PredictX0(x, t, Conditioning.None);
        Assert.True((masked - expected).abs().max().item<float>() < 1e-4);
        for (var b = 0; b < 64; b++)
        {
            Assert.Equal(0f, composed.Trajectory!.Weight(0, b, 2));
        }

        Assert.Throws<ArgumentException>(() => new ComposedDenoiser([set.Denoisers[0], null, null], set.Exact));
    }

    [Fact]
    public void SparseSelectionSkipsNegligibleShardsAndStaysCloseToDense()
    {
        var set = new GaussianShardSet();
        var dense = new ComposedDenoiser(set.Denoisers, set.Exact);
        var sparse = new ComposedDenoiser(set.Denoisers, set.Exact, options: new CompositionOptions(new SparseSelection(Threshold: 1e-3)));
        var topOne = new ComposedDenoiser(set.Denoisers, set.Exact, options: new CompositionOptions(new SparseSelection(TopK: 1)));
        using var x = (randn([128, 2, 1, 1], generator: new Generator(5)) * 3);
        using var t = full(128, 100L, ScalarType.Int64);
        foreach (var d in new[] { dense, sparse, topOne })
        {
            d.BeginSampling(128);
        }

        using var denseOut = dense.PredictX0(x, t, Conditioning.None);
        using var sparseOut = sparse.PredictX0(x, t, Conditioning.None);
        using var topOut = topOne.PredictX0(x, t, Conditioning.None);
        Assert.Equal(3 * 128, dense.ShardEvaluations);
        Assert.True(sparse.ShardEvaluations < 2 * 128, $"sparse evaluated {sparse.ShardEvaluations} shard-samples");
        Assert.Equal(128, topOne.ShardEvaluations);
        // Dropping weight below 1e-3 (renormalizing the rest) moves x0 by at most ~2 x 1e-3 x the spread of the shard means (~7).
        Assert.True((sparseOut - denseOut).abs().max().item<float>() < 0.05);
    }

    [Fact]
    public void WeightTrajectoryIsRecordedOnlyWhenRequested()
    {
        var set = new GaussianShardSet();
        var options = new SamplingOptions { Steps = 20, Device = CPU };
        var quiet = new ComposedDenoiser(set.Denoisers, set.Exact);
        using var a = new DdpmSampler().Sample(quiet, [8, 2, 1, 1], Conditioning.None, new Generator(6), options);
        Assert.Null(quiet.Trajectory);

        var recording = new ComposedDenoiser(set.Denoisers, set.Exact, options: new CompositionOptions(RecordWeights: true));
        using var b = new DdpmSampler().Sample(recording, [8, 2, 1, 1], Conditioning.None, new Generator(6), options);
        var trajectory = recording.Trajectory!;
        Assert.Equal(20, trajectory.Steps);
        Assert.Equal(999, trajectory.Timesteps(0)[0]);
        for (var s = 0; s < trajectory.Steps; s++)
        {
            Assert.Equal(1.0, Enumerable.Range(0, 3).Sum(i => trajectory.Weight(s, 5, i)), 4);
        }

        Assert.True((a - b).abs().max().item<float>() < 1e-5, "recording changed the samples");
    }
}
