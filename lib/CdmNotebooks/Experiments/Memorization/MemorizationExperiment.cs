using System.Globalization;
using CdmNotebooks.Composition;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Evaluation;
using CdmNotebooks.Experiments.Attribution;
using CdmNotebooks.Reporting;
using static TorchSharp.torch;

namespace CdmNotebooks.Experiments.Memorization;

/// <summary>E5: a shard trained on a few images memorizes them; mixing it with a shard trained on other data at fixed weights should reduce near-copies while keeping quality (Fig. 4B). Also composes two domains for an out-of-distribution request (Fig. 4A).</summary>
/// <remarks>
/// Near-copies follow Carlini et al. 2023 through <see cref="MemorizationProbe"/>: a generated image is a near-copy when its nearest
/// training image (the whole training part of the dataset, small shard included) is closer than <see cref="MemorizationSettings.Threshold"/>
/// times the mean distance to its k nearest training images; it counts as memorized from the small shard when that nearest image is one of
/// the small shard's. Pixel space is the primary measure (literal copies); the CdmNet feature space is reported beside it.
/// Fixed-weight mixtures are naive averaging with priors lambda = (w, 1 - w): D = w D_small + (1 - w) D_rest at every step.
/// </remarks>
public sealed class MemorizationExperiment : Experiment<MemorizationSettings>
{
    private const int PairsShown = 12;
    private const double HybridMaxProbability = 0.9;

    /// <inheritdoc />
    public override string Name => "memorization";

    /// <inheritdoc />
    public override string Question => "Does composing a memorizing small shard with other shards reduce near-copies of its training images while keeping quality?";

    /// <inheritdoc />
    protected override MemorizationSettings DefaultSettings(string profile) => MemorizationSettings.For(profile);

    /// <inheritdoc />
    protected override void Measure(ExperimentRun run, MemorizationSettings settings, ExperimentOutput output)
    {
        var table = output.Rows<MemorizationRow>("memorization.csv");
        var pipeline = output.Own(new CdmPipeline(run, settings.Scale));
        var train = pipeline.Train(settings.Dataset);
        var smallIds = SmallShardIds(train, settings.SmallPerClass, run.Seed);
        var smallSet = smallIds.ToHashSet(StringComparer.Ordinal);
        var restIds = train.Ids.Where(id => !smallSet.Contains(id)).ToArray();
        var splitName = $"{settings.Dataset}-memorization-{smallIds.Count}-s{run.Seed}";
        var small = pipeline.TrainOnIds(SmallConfig(settings, run), settings.Dataset, splitName, "small", smallIds);
        var restConfig = ComputeParity.ForShard(settings.Scale.Paragon, restIds.Length / (double)train.Count) with { Seed = run.Seed * 1000 + 201 };
        var rest = pipeline.TrainOnIds(restConfig, settings.Dataset, splitName, "rest", restIds);

        UNetDenoiser? smallDenoiser = null, restDenoiser = null;
        ProbeReference? reference = null;
        try
        {
            foreach (var weight in settings.SmallWeights)
            {
                var method = MethodName(weight);
                var pairsPath = run.ResultPath($"pairs-small-{weight.ToString("0.00", CultureInfo.InvariantCulture)}.png");
                if (!(RowsOf(run, table.Rows).Any(r => r.Method == method) && File.Exists(pairsPath)))
                {
                    smallDenoiser ??= small.LoadDenoiser();
                    restDenoiser ??= rest.LoadDenoiser();
                    reference ??= ProbeReference.Create(train, settings.Dataset, run.Log);
                    var denoiser = weight switch
                    {
                        1.0 => (IDenoiser)smallDenoiser,
                        0.0 => restDenoiser,
                        _ => new ComposedDenoiser([smallDenoiser, restDenoiser], new NaiveAveragingRouter(ShardPriors.FromWeights([weight, 1 - weight]))),
                    };
                    run.Log($"{method}: generating {settings.SamplesPerClass * 10} samples");
                    // The same noise seed for every mixture, so rows differ only in the weights.
                    using var samples = pipeline.Generate(method, denoiser, run.Seed * 1000 + 300, settings.SamplesPerClass);
                    var probe = reference.Probe(samples.Images, settings);
                    var evaluation = pipeline.Evaluate(samples, settings.Dataset);
                    SavePairs(samples.Images, train, probe.Pixel, pairsPath);
                    var memorizedPixel = probe.Pixel.Matches.Count(m => m.IsNearCopy && smallSet.Contains(m.NearestTrainingId)) / (double)probe.Pixel.Matches.Count;
                    var memorizedFeature = probe.Feature.Matches.Count(m => m.IsNearCopy && smallSet.Contains(m.NearestTrainingId)) / (double)probe.Feature.Matches.Count;
                    table.Add(new MemorizationRow(settings.Dataset, splitName, weight is 0.0 or 1.0 ? 1 : 2, method, weight, 1 - weight, run.Seed, run.Profile,
                        ResultValue.Round(memorizedPixel), ResultValue.Round(probe.Pixel.FractionBelowThreshold), ResultValue.Round(memorizedFeature), ResultValue.Round(probe.Feature.FractionBelowThreshold),
                        ResultValue.Round(Median(probe.Pixel.Matches.Select(m => m.Ratio))), ResultValue.Round(settings.Threshold), settings.Neighbours, EvaluationRow.Of(evaluation),
                        smallIds.Count, small.TrainSteps, ResultValue.Round(small.TrainSteps * (double)settings.SmallShardBatch / smallIds.Count), restIds.Length, rest.TrainSteps,
                        ResultValue.Round((weight > 0 ? small.TrainSeconds : 0) + (weight < 1 ? rest.TrainSeconds : 0)), Math.Round(samples.Seconds, 1)));
                }

                output.Image(pairsPath,
                    $"{method}: the {PairsShown} generated samples closest to a training image, each followed by its nearest training image " +
                    $"(sorted by ratio d1/mean(d1..d{settings.Neighbours}); near-copy when below {settings.Threshold:F3})");
            }
        }
        finally
        {
            smallDenoiser?.Network.Dispose();
            restDenoiser?.Network.Dispose();
            reference?.Dispose();
        }

        var (oodTable, oodGrid) = OutOfDistribution(run, settings);
        output.File(oodTable.Path);
        output.Image(oodGrid.Path, oodGrid.Title);
        output.Figure(MemorizationChart(run, settings, table.Rows), "fig-memorized-fraction-vs-weight");
        output.Figure(QualityChart(run, table.Rows), "fig-fid-vs-weight");
        output.Check(Checks(run, settings, table.Rows));
        output.Table("Memorization vs mixture weight (Fig. 4B)", table.ToTable());
        output.Table("Composing domains for an out-of-distribution request (Fig. 4A)", oodTable.ToTable());
        output.RunInfo["smallShard"] = $"{smallIds.Count} images of {settings.Dataset} ({settings.SmallPerClass} per class), {small.TrainSteps} steps of batch {settings.SmallShardBatch}";
        output.RunInfo["restShard"] = $"{restIds.Length} images, {rest.TrainSteps} steps (compute parity)";
        output.RunInfo["threshold"] = settings.Threshold.ToString("R", CultureInfo.InvariantCulture);
        output.RunInfo["neighbours"] = settings.Neighbours.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The method name of a mixture: the small shard's weight and the rest shard's.</summary>
    public static string MethodName(double smallWeight) => smallWeight switch
    {
        1.0 => "small shard alone (1, 0)",
        0.0 => "rest shard alone (0, 1)",
        _ => string.Create(CultureInfo.InvariantCulture, $"fixed mixture ({smallWeight:0.##}, {1 - smallWeight:0.##})"),
    };

    /// <summary>The small shard: <paramref name="perClass"/> images of every class, drawn by a seeded shuffle of the training part.</summary>
    public static IReadOnlyList<string> SmallShardIds(LabeledImages train, int perClass, int seed)
    {
        ArgumentNullException.ThrowIfNull(train);
        var order = Enumerable.Range(0, train.Count).ToArray();
        Shuffling.Shuffle(order, new MathNet.Numerics.Random.MersenneTwister(seed + 5150, threadSafe: false));
        return order.GroupBy(i => train.Labels[i]).OrderBy(g => g.Key)
            .SelectMany(g => g.Take(perClass))
            .Select(i => train.Ids[i])
            .ToArray();
    }

    private static TrainingConfig SmallConfig(MemorizationSettings settings, ExperimentRun run)
    {
        var paragon = settings.Scale.Paragon;
        return paragon with
        {
            TrainSteps = settings.SmallShardSteps,
            BatchSize = settings.SmallShardBatch,
            WarmupSteps = Math.Min(paragon.WarmupSteps, Math.Max(1, settings.SmallShardSteps / 10)),
            CheckpointEvery = Math.Min(Math.Max(paragon.CheckpointEvery, settings.SmallShardSteps / 4), settings.SmallShardSteps),
            Seed = run.Seed * 1000 + 202,
        };
    }

    private static IReadOnlyList<SanityCheck> Checks(ExperimentRun run, MemorizationSettings settings, IReadOnlyList<MemorizationRow> table)
    {
        double? Memorized(double weight) => RowsOf(run, table).LastOrDefault(r => r.Method == MethodName(weight))?.MemorizedFractionPixel;

        var alone = Memorized(1.0);
        var mixed = Memorized(0.25);
        var checks = new List<SanityCheck>
        {
            new($"the small shard alone memorizes: memorized fraction (pixel) at (1, 0) >= {settings.MinimumMemorizedAlone:P0}",
                alone >= settings.MinimumMemorizedAlone,
                alone is null ? "weight (1, 0) was not measured" : $"{alone:P1} of samples are near-copies of the small shard's images (ratio < {settings.Threshold:F3})"),
        };
        checks.Add(new SanityCheck(
            "mixing reduces memorization: memorized fraction (pixel) at (0.25, 0.75) < at (1, 0)",
            alone is not null && mixed is not null && mixed < alone,
            alone is null || mixed is null ? "weight (1, 0) or (0.25, 0.75) was not measured" : $"(0.25, 0.75): {mixed:P1} vs (1, 0): {alone:P1}"));
        return checks;
    }

    private static (ResultRows<OodRow> Table, CaptionedImage Grid) OutOfDistribution(ExperimentRun run, MemorizationSettings settings)
    {
        var path = run.ResultPath("ood.csv");
        var gridPath = run.ResultPath("ood-grid.png");
        var table = ResultRows<OodRow>.Open(path);
        var split = ShardSplit.Load(settings.Domain.DomainSplit);
        var domains = Enumerable.Range(0, split.ShardCount).Select(s => AttributionExperiment.DomainOf(split.IdsOfShard(s))).ToArray();
        var methods = new List<(string Name, double[]? Weights)>();
        for (var s = 0; s < split.ShardCount; s++)
        {
            methods.Add(($"{domains[s]} shard alone", Enumerable.Range(0, split.ShardCount).Select(i => i == s ? 1.0 : 0.0).ToArray()));
        }

        methods.Add(($"fixed mixture ({string.Join(", ", Enumerable.Repeat("0.5", split.ShardCount))})", Enumerable.Repeat(1.0 / split.ShardCount, split.ShardCount).ToArray()));
        methods.Add(("CDM, ito-density router", null));
        var caption = $"Out-of-distribution request on {split.Name}: column = requested class 0..9 (a digit and a garment share each label); rows = " +
                      string.Join("; ", methods.Select((m, i) => $"{i + 1}: {m.Name}"));
        var done = methods.All(m => table.Rows.Of(run).Any(r => r.Method == m.Name)) && File.Exists(gridPath);
        if (done)
        {
            return (table, new CaptionedImage(caption, gridPath));
        }

        var measured = new List<OodRow>();
        using var pipeline = new CdmPipeline(run, settings.Domain.Scale);
        var models = pipeline.TrainShards(split);
        var denoisers = models.Select(m => m.LoadDenoiser()).ToArray();
        var rows = new List<Tensor>();
        try
        {
            using var judge = DomainJudge.Load(run.Log);
            foreach (var (name, weights) in methods)
            {
                // The CDM row opens through the shard store like every composition; the fixed mixtures are probes with weights no router gives.
                using var composed = weights is null
                    ? SplitStore.Create(pipeline, split, Path.Combine(Path.GetDirectoryName(run.Models.Root)!, "registries", "memorization", run.Profile, $"seed-{run.Seed}", split.Name))
                        .Compose(RouterKind.Ito)
                    : null;
                IDenoiser denoiser = weights switch
                {
                    null => composed!.Denoiser,
                    _ when weights.Count(w => w > 0) == 1 => denoisers[Array.IndexOf(weights, 1.0)],
                    _ => new ComposedDenoiser(denoisers, new NaiveAveragingRouter(ShardPriors.FromWeights(weights))),
                };
                run.Log($"Fig. 4A, {name}: generating {settings.OodSamplesPerClass * 10} samples");
                using var samples = pipeline.Generate(name, denoiser, run.Seed * 1000 + 600, settings.OodSamplesPerClass);
                var judged = judge.DomainProbabilities(samples.Images);
                var entropy = judged.Average(p => -p.Where(q => q > 0).Sum(q => q * Math.Log2(q)));
                // OodRow has one column per judged domain; a judge with other domains must fail here, not record zeros.
                double Judged(string domain)
                {
                    var index = DomainJudge.Domains.ToList().IndexOf(domain);
                    return index < 0
                        ? throw new InvalidOperationException($"The domain judge has no domain '{domain}' (its domains: {string.Join(", ", DomainJudge.Domains)}); OodRow's columns must follow them.")
                        : ResultValue.Round(judged.Count(p => CreditLedger.ArgMax(p) == index) / (double)judged.Length);
                }

                measured.Add(new OodRow(split.Dataset, split.Name, name,
                    weights is null ? "posterior (ito-density)" : string.Join(" ", weights.Select(w => w.ToString("0.##", CultureInfo.InvariantCulture))),
                    run.Seed, run.Profile, judged.Length, Judged("mnist10k"), Judged("fashion-mnist"), ResultValue.Round(entropy),
                    ResultValue.Round(judged.Count(p => p.Max() < HybridMaxProbability) / (double)judged.Length), Math.Round(samples.Seconds, 1)));
                // Generate's requests cycle through the classes, so the first 10 samples are classes 0..9.
                rows.Add(samples.Images.narrow(0, 0, 10).clone());
            }

            table = ResultRows<OodRow>.Create(path, measured);
            using var grid = cat(rows.ToArray(), 0);
            ImageGrid.SavePng(grid, gridPath, columns: 10);
        }
        finally
        {
            foreach (var r in rows)
            {
                r.Dispose();
            }

            foreach (var d in denoisers)
            {
                d.Network.Dispose();
            }
        }

        return (table, new CaptionedImage(caption, gridPath));
    }

    private static void SavePairs(Tensor generated, LabeledImages train, MemorizationSpaceReport pixel, string path)
    {
        using var scope = NewDisposeScope();
        var closest = pixel.Matches.OrderBy(m => m.Ratio).Take(PairsShown).ToArray();
        var tiles = closest.SelectMany(m => new[] { generated[m.SampleIndex], train.Images[m.NearestTrainingIndex] }).ToArray();
        ImageGrid.SavePng(stack(tiles, 0), path, columns: 8);
    }

    /// <summary>Fig. 4B: memorized fractions against the small shard's mixture weight, for the rows of <paramref name="run"/>'s profile and seed in <paramref name="table"/> (memorization.csv).</summary>
    public static ChartSpec MemorizationChart(ExperimentRun run, MemorizationSettings settings, IReadOnlyList<MemorizationRow> table)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(table);
        var rows = RowsOf(run, table);
        ChartSeries Series(string name, Func<MemorizationRow, double> value) => new(name, rows.Select(r => r.WeightSmall).ToArray(), rows.Select(value).ToArray());
        return new ChartSpec("Memorized fraction vs weight of the small shard (Fig. 4B)", "mixture weight of the small shard (rest shard: 1 - w)",
            "fraction of generated samples",
            [
                Series("near-copies of the small shard (pixel)", r => r.MemorizedFractionPixel),
                Series("near-copies of the small shard (CdmNet features)", r => r.MemorizedFractionFeature),
                Series("near-copies of any training image (pixel)", r => r.NearCopyFractionPixel),
            ])
        {
            Caption = $"near-copy: d1 / mean(d1..d{settings.Neighbours}) < {settings.Threshold:F3} against all {settings.Dataset} training images; " +
                      $"profile {run.Profile}, seed {run.Seed}, `{run.Command}`",
        };
    }

    /// <summary>FID against the small shard's mixture weight, for the rows of <paramref name="run"/>'s profile and seed in <paramref name="table"/> (memorization.csv).</summary>
    public static ChartSpec QualityChart(ExperimentRun run, IReadOnlyList<MemorizationRow> table)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(table);
        var rows = RowsOf(run, table);
        return new ChartSpec("Quality vs weight of the small shard", "mixture weight of the small shard", FeatureNetworkCache.MetricName,
            [
                new ChartSeries("FID (95% bootstrap interval)", rows.Select(r => r.WeightSmall).ToArray(), rows.Select(r => r.Metrics.Fid).ToArray(),
                    rows.Select(r => r.Metrics.FidHalfInterval).ToArray()),
            ])
        {
            Caption = $"against the held-out part; profile {run.Profile}, seed {run.Seed}, `{run.Command}`",
        };
    }

    private static MemorizationRow[] RowsOf(ExperimentRun run, IEnumerable<MemorizationRow> table) =>
        table.Of(run).OrderByDescending(r => r.WeightSmall).ToArray();

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>The probe's reference: every training image of the dataset, flattened and embedded once per run.</summary>
    private sealed class ProbeReference : IDisposable
    {
        private readonly LabeledImages _train;
        private readonly CdmNetFeatureExtractor _extractor;
        private readonly Tensor _pixels;
        private readonly Tensor _features;

        private ProbeReference(LabeledImages train, CdmNetFeatureExtractor extractor, Tensor pixels, Tensor features)
        {
            _train = train;
            _extractor = extractor;
            _pixels = pixels;
            _features = features;
        }

        public static ProbeReference Create(LabeledImages train, string dataset, Action<string> log)
        {
            var extractor = new FeatureNetworkCache().GetOrTrain(dataset, log: log);
            using var output = extractor.Extract(train.Images);
            return new ProbeReference(train, extractor, train.Images.reshape(train.Count, -1).DetachFromDisposeScope(), output.Features.clone().DetachFromDisposeScope());
        }

        public MemorizationReport Probe(Tensor generated, MemorizationSettings settings)
        {
            using var scope = NewDisposeScope();
            using var features = _extractor.Extract(generated);
            return new MemorizationReport(
                MemorizationProbe.InSpace(generated.reshape(generated.shape[0], -1), _pixels, _train.Ids, "pixel", settings.Neighbours, settings.Threshold),
                MemorizationProbe.InSpace(features.Features, _features, _train.Ids, _extractor.Name, settings.Neighbours, settings.Threshold));
        }

        public void Dispose()
        {
            _pixels.Dispose();
            _features.Dispose();
            _extractor.Dispose();
        }
    }
}
