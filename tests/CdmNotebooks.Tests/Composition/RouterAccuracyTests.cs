using CdmNotebooks.Composition;
using CdmNotebooks.Diffusion;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.Composition;

/// <summary>Trained routers and Ito weights against the exact posterior of Gaussian shards; the tolerance is the mean total-variation distance between weight vectors.</summary>
public sealed class RouterAccuracyTests
{
    private readonly ITestOutputHelper _output;

    public RouterAccuracyTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void ClassifierRouterApproachesTheExactPosterior()
    {
        var set = new GaussianShardSet(pixels: 4);
        var data = ShardData(set, new Generator(10));
        var network = RouterTrainer.TrainClassifier(
            data, set.Schedule, new RouterNetworkConfig(2, 3, BaseChannels: 16, TimeFeatures: 32), new RouterTrainingOptions(Steps: 400, BatchSize: 128, Seed: 1));
        var distance = MeanTotalVariation(set, new ClassifierRouter(network));
        var naive = MeanTotalVariation(set, new NaiveAveragingRouter(set.Priors));
        _output.WriteLine($"classifier TV {distance:F4}, naive TV {naive:F4}");
        Assert.True(distance < 0.05, $"classifier router is {distance:F3} (mean TV) from the exact posterior; tolerance 0.05");
        Assert.True(naive > 0.25, $"naive weights should be far from the posterior, got {naive:F3}");
    }

    [Fact]
    public void CompartmentalizedRouterApproachesTheExactPosterior()
    {
        var set = new GaussianShardSet(pixels: 4);
        var data = ShardData(set, new Generator(11));
        using var referenceGenerator = new Generator(12);
        // The public reference set: a broad Gaussian covering every shard, sharing no sample with any of them.
        using var reference = randn([3000, 2, 4, 4], generator: referenceGenerator) * 12 + tensor(new[] { 0f, 1f }).reshape(1, 2, 1, 1);
        var config = new RouterNetworkConfig(2, 1, BaseChannels: 16, TimeFeatures: 32);
        var heads = data.Select((d, i) => RouterTrainer.TrainDensityRatioHead(
            d, new RouterTrainingSet(reference), set.Schedule, config, new RouterTrainingOptions(Steps: 300, BatchSize: 128, Seed: 20 + i))).ToArray();
        var distance = MeanTotalVariation(set, new CompartmentalizedRouter(heads, set.Priors));
        _output.WriteLine($"compartmentalized TV {distance:F4}");
        Assert.True(distance < 0.08, $"compartmentalized router is {distance:F3} (mean TV) from the exact posterior; tolerance 0.08");
    }

    [Fact]
    public void ItoWeightsApproachTheExactPosteriorAlongSampledPaths()
    {
        var set = new GaussianShardSet();
        var ito = new ItoDensityRouter(set.Priors, set.Schedule);
        var composed = new ComposedDenoiser(set.Denoisers, ito, options: new CompositionOptions(RecordWeights: true));
        var distances = new List<double>();
        var options = new SamplingOptions
        {
            Steps = 250,
            Device = CPU,
            OnStep = step =>
            {
                using var scope = NewDisposeScope();
                var t = full(step.Xt.shape[0], step.Timestep, ScalarType.Int64);
                var exact = set.Exact.Weights(step.Xt, t, Conditioning.None, ShardMask.All(3));
                var recorded = composed.Trajectory!;
                var got = tensor(Enumerable.Range(0, (int)step.Xt.shape[0] * 3).Select(k => recorded.Weight(step.Index, k / 3, k % 3)).ToArray()).reshape(-1, 3);
                distances.Add(0.5 * (got - exact).abs().sum(1).mean().item<float>());
            },
        };
        using var samples = new DdpmSampler().Sample(composed, [256, 2, 1, 1], Conditioning.None, new Generator(13), options);
        var mean = distances.Average();
        var late = distances.Skip(distances.Count / 2).Average();
        var (_, radius) = set.NearestMode(samples);
        var nearModes = radius.Count(d => d < 3 * Math.Sqrt(GaussianShardSet.Variance)) / 256.0;
        _output.WriteLine($"Ito TV mean {mean:F4}, second half {late:F4}, first step {distances[0]:F4}, near modes {nearModes:P1}");
        Assert.True(mean < 0.05, $"Ito weights are {mean:F3} (mean TV over the path) from the exact posterior; tolerance 0.05");
        Assert.True(nearModes > 0.95, $"only {nearModes:P1} of Ito-composed samples are near a mode");
    }

    [Fact]
    public void ItoWeightsNeedABeganPath()
    {
        var set = new GaussianShardSet();
        var composed = new ComposedDenoiser(set.Denoisers, new ItoDensityRouter(set.Priors, set.Schedule));
        using var x = zeros(2, 2, 1, 1);
        using var t = full(2, 10L, ScalarType.Int64);
        var error = Assert.Throws<InvalidOperationException>(() => composed.PredictX0(x, t, Conditioning.None));
        Assert.Contains("BeginSampling", error.Message);
    }

    private static RouterTrainingSet[] ShardData(GaussianShardSet set, Generator generator) =>
        set.Shards.Select((s, i) => new RouterTrainingSet(s.Sample((int)(3000 * set.Priors.Global[i]), generator))).ToArray();

    private static double MeanTotalVariation(GaussianShardSet set, IRouter router)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(99);
        var x0 = cat(set.Shards.Select((s, i) => s.Sample((int)(1200 * set.Priors.Global[i]), generator)).ToArray(), 0);
        var t = randint(set.Schedule.Steps, [x0.shape[0]], generator: generator);
        var xt = new PredictionConverter(set.Schedule).AddNoise(x0, t, randn(x0.shape, generator: generator));
        var mask = ShardMask.All(3);
        var exact = set.Exact.Weights(xt, t, Conditioning.None, mask);
        var got = router.Weights(xt, t, Conditioning.None, mask);
        return 0.5 * (got - exact).abs().sum(1).mean().item<float>();
    }
}
