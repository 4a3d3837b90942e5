using System.Diagnostics;
using CdmNotebooks.Composition;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Evaluation;
using static TorchSharp.torch;

namespace CdmNotebooks.Experiments;

/// <summary>The steps every experiment shares: train the paragon and shard models (cached, compute parity), generate class-balanced samples and evaluate them; shards are composed through a <see cref="SplitStore"/>.</summary>
public sealed class CdmPipeline : IDisposable
{
    private readonly Dictionary<string, LabeledImages> _train = new();
    private readonly Dictionary<string, LabeledImages> _test = new();
    private readonly Dictionary<string, CdmNetFeatureExtractor> _extractors = new();

    public CdmPipeline(ExperimentRun run, ExperimentScale? scale = null)
    {
        Run = run ?? throw new ArgumentNullException(nameof(run));
        Scale = scale ?? ExperimentScale.For(run.Profile);
    }

    /// <summary>The run this pipeline belongs to.</summary>
    public ExperimentRun Run { get; }

    /// <summary>Sizes in force.</summary>
    public ExperimentScale Scale { get; }

    /// <summary>The training part of <paramref name="dataset"/> (loaded once per pipeline).</summary>
    public LabeledImages Train(string dataset) => _train.TryGetValue(dataset, out var d) ? d : _train[dataset] = DatasetCatalog.Load(dataset, "train");

    /// <summary>The held-out part of <paramref name="dataset"/>: the FID reference.</summary>
    public LabeledImages Test(string dataset) => _test.TryGetValue(dataset, out var d) ? d : _test[dataset] = DatasetCatalog.Load(dataset, "test");

    /// <summary>Trains (or reuses) the paragon: one model on all training data of <paramref name="dataset"/>, optionally without <paramref name="excluded"/> IDs (a forgetting request: same configuration and steps, data minus the IDs).</summary>
    /// <remarks><paramref name="cache"/> (default: the run's) and <paramref name="snapshotSteps"/> (see <see cref="ModelCache.GetOrTrain"/>) are for studies of the training itself.</remarks>
    public TrainedModel TrainParagon(
        string dataset, IReadOnlyCollection<string>? excluded = null, TrainingRegime? regime = null, ModelCache? cache = null, IReadOnlyList<int>? snapshotSteps = null)
    {
        var train = Train(dataset);
        var ids = excluded is null || excluded.Count == 0 ? train.Ids : train.Ids.Where(id => !excluded.Contains(id)).ToArray();
        var identity = new TrainingDataIdentity(dataset, "all", ids.Count == train.Count ? "all" : $"all-minus-{train.Count - ids.Count}", DataIdentity.Of(ids));
        return TrainOn(Scale.Paragon with { Seed = Run.Seed * 1000 + 1 }, identity, ids, regime, cache, snapshotSteps);
    }

    /// <summary>Trains (or reuses) the base of <paramref name="regime"/> on the whole training part of its base dataset; null for the scratch regime.</summary>
    public TrainedModel? TrainBase(TrainingRegime regime)
    {
        ArgumentNullException.ThrowIfNull(regime);
        if (!regime.HasBase)
        {
            return null;
        }

        var train = Train(regime.BaseDataset!);
        var identity = new TrainingDataIdentity(regime.BaseDataset!, "base", "all", DataIdentity.Of(train.Ids));
        return TrainOn(regime.BaseConfig! with { Seed = Run.Seed * 1000 + 3 }, identity, train.Ids, null, null, null);
    }

    /// <summary>Trains (or reuses) shard <paramref name="shard"/> of <paramref name="split"/> without <paramref name="excluded"/> IDs, with a fraction of the paragon's steps equal to its data fraction.</summary>
    /// <remarks>
    /// <paramref name="stepMultiple"/> above 1 trains for that multiple of the compute-parity steps (same recipe and warm-up, learning-rate decay stretched to the longer budget): only where a study observes a shard beyond parity.
    /// <paramref name="recipe"/> changes the final configuration (after the regime's, so a fine-tuned model's decay and loss weighting can change too; the cache keys the result): only where a study compares training recipes.
    /// </remarks>
    public TrainedModel TrainShard(
        ShardSplit split, int shard, IReadOnlyCollection<string>? excluded = null, TrainingRegime? regime = null, ModelCache? cache = null, IReadOnlyList<int>? snapshotSteps = null,
        double stepMultiple = 1, Func<TrainingConfig, TrainingConfig>? recipe = null)
    {
        ArgumentNullException.ThrowIfNull(split);
        ArgumentOutOfRangeException.ThrowIfLessThan(stepMultiple, 1);
        var ids = split.IdsOfShard(shard).Where(id => excluded is null || !excluded.Contains(id)).ToArray();
        if (ids.Length == 0)
        {
            throw new InvalidOperationException($"Shard {shard} of {split.Name} has no samples left to train on; forget the whole shard instead.");
        }

        var parity = ComputeParity.ForShard(Scale.Paragon, ids.Length / (double)split.Ids.Count);
        var config = (stepMultiple == 1 ? parity : parity with { TrainSteps = (int)Math.Round(parity.TrainSteps * stepMultiple), CheckpointEvery = Scale.Paragon.CheckpointEvery })
            with { Seed = Run.Seed * 1000 + 100 + shard };
        return TrainOn(config, new TrainingDataIdentity(split.Dataset, split.Name, shard.ToString(System.Globalization.CultureInfo.InvariantCulture), DataIdentity.Of(ids)), ids, regime, cache, snapshotSteps, recipe);
    }

    /// <summary>Trains (or reuses) every shard of <paramref name="split"/> in <paramref name="regime"/> (scratch when null).</summary>
    public IReadOnlyList<TrainedModel> TrainShards(ShardSplit split, TrainingRegime? regime = null) =>
        Enumerable.Range(0, split.ShardCount).Select(s => TrainShard(split, s, regime: regime)).ToArray();

    /// <summary>Trains (or reuses) a model with an explicit <paramref name="config"/> on the training samples <paramref name="ids"/> of <paramref name="dataset"/>, recorded as shard <paramref name="shard"/> of <paramref name="splitName"/>; for models deliberately outside compute parity (e.g. a small shard trained for many epochs so it memorizes).</summary>
    public TrainedModel TrainOnIds(TrainingConfig config, string dataset, string splitName, string shard, IReadOnlyList<string> ids)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(ids);
        if (ids.Count == 0)
        {
            throw new ArgumentException($"No sample IDs given to train shard {shard} of {splitName} on.", nameof(ids));
        }

        return TrainOn(config, new TrainingDataIdentity(dataset, splitName, shard, DataIdentity.Of(ids)), ids, null, null, null);
    }

    private TrainedModel TrainOn(
        TrainingConfig config, TrainingDataIdentity identity, IReadOnlyList<string> ids, TrainingRegime? regime, ModelCache? cache, IReadOnlyList<int>? snapshotSteps,
        Func<TrainingConfig, TrainingConfig>? recipe = null)
    {
        TrainedModel? baseModel = null;
        if (regime is { HasBase: true })
        {
            regime.CheckDisjoint(Train(regime.BaseDataset!).Ids, ids, identity.ToString());
            baseModel = TrainBase(regime)!;
            config = regime.Apply(config, BaseLineage.Of(Checkpoint.ReadHeader(baseModel.CheckpointPath)));
        }

        config = recipe?.Invoke(config) ?? config;

        var train = Train(identity.Dataset);
        LabeledImages? subset = null;
        Tensor? labels = null;
        try
        {
            return (cache ?? Run.Models).GetOrTrain(config, identity, () =>
            {
                subset = ids.Count == train.Count ? null : train.SelectIds(ids);
                var source = subset ?? train;
                labels = source.LabelTensor();
                return new TrainingData(source.Images, labels, identity);
            }, Run, baseModel, snapshotSteps);
        }
        finally
        {
            subset?.Dispose();
            labels?.Dispose();
        }
    }

    /// <summary>The model soup of <paramref name="shards"/> (fine-tuned from one base), weighted by their data fractions; refused with a clear error for shards trained from scratch or from different bases.</summary>
    public static UNetDenoiser Soup(IReadOnlyList<TrainedModel> shards, IReadOnlyList<int> sampleCounts) =>
        ModelSoup.Average(shards.Select(s => s.CheckpointPath).ToArray(), sampleCounts.Select(c => (double)c).ToArray());

    /// <summary>Generates <see cref="ExperimentScale.SamplesPerClass"/> images of every class from <paramref name="denoiser"/>, with noise from <paramref name="seed"/>.</summary>
    public GeneratedSamples Generate(string method, IDenoiser denoiser, int seed, int? samplesPerClass = null, int batchSize = 100, Action<SamplerStep>? onStep = null)
    {
        var perClass = samplesPerClass ?? Scale.SamplesPerClass;
        using var noise = Run.Mutation == ExperimentMutation.NoiseDenoiser ? new NoiseDenoiser(denoiser.Schedule, seed) : null;
        denoiser = (IDenoiser?)noise ?? denoiser;

        var classes = Enumerable.Range(0, perClass * 10).Select(i => (long)(i % 10)).ToArray();
        var sampler = SamplerFactory.Create(Scale.Sampler);
        using var generator = new Generator().manual_seed(seed);
        var clock = Stopwatch.StartNew();
        var batches = new List<Tensor>();
        try
        {
            for (var start = 0; start < classes.Length; start += batchSize)
            {
                var count = Math.Min(batchSize, classes.Length - start);
                using var labels = tensor(classes.AsSpan(start, count).ToArray(), ScalarType.Int64);
                batches.Add(sampler.Sample(denoiser, new long[] { count, 1, 28, 28 }, Conditioning.Classes(labels), generator,
                    new SamplingOptions { Steps = Scale.SamplerSteps, OnStep = onStep, ClipX0 = true }, Run.Cancellation));
            }

            var images = cat(batches.ToArray(), 0);
            return new GeneratedSamples(method, images, classes, clock.Elapsed.TotalSeconds);
        }
        finally
        {
            foreach (var b in batches)
            {
                b.Dispose();
            }
        }
    }

    /// <summary>FID/KID (CdmNet features of <paramref name="dataset"/>) against its held-out part, and conditional accuracy for the requested classes.</summary>
    public EvaluationReport Evaluate(GeneratedSamples samples, string dataset)
    {
        if (!_extractors.TryGetValue(dataset, out var extractor))
        {
            extractor = _extractors[dataset] = new FeatureNetworkCache().GetOrTrain(dataset, log: Run.Log);
        }

        return new SampleEvaluator(extractor).Evaluate(samples.Images, samples.Method, Test(dataset), samples.Classes,
            new EvaluationOptions(BootstrapResamples: 50, KidSubsets: 50, Seed: Run.Seed));
    }

    /// <summary>The real-vs-real floor of the metrics for <paramref name="dataset"/>: a train subset of the test part's size against the test part.</summary>
    public EvaluationReport RealFloor(string dataset)
    {
        if (!_extractors.TryGetValue(dataset, out var extractor))
        {
            extractor = _extractors[dataset] = new FeatureNetworkCache().GetOrTrain(dataset, log: Run.Log);
        }

        return new SampleEvaluator(extractor).RealFloor(Train(dataset), Test(dataset), new EvaluationOptions(BootstrapResamples: 50, KidSubsets: 50, Seed: Run.Seed));
    }

    public void Dispose()
    {
        foreach (var d in _train.Values.Concat(_test.Values))
        {
            d.Dispose();
        }

        foreach (var e in _extractors.Values)
        {
            e.Dispose();
        }
    }
}
