using System.Globalization;
using CdmNotebooks.Composition;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Evaluation;
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

        var (oodTable, oodGrid) = OutOfDistributionStudy.Measure(run, settings);
        output.File(oodTable.Path);
        output.Image(oodGrid.Path, oodGrid.Title);
        output.Figure(MemorizationCharts.MemorizationChart(run, settings, table.Rows), "fig-memorized-fraction-vs-weight");
        output.Figure(MemorizationCharts.QualityChart(run, table.Rows), "fig-fid-vs-weight");
        output.Check(MemorizationChecks.Checks(run, settings, table.Rows));
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

    private static void SavePairs(Tensor generated, LabeledImages train, MemorizationSpaceReport pixel, string path)
    {
        using var scope = NewDisposeScope();
        var closest = pixel.Matches.OrderBy(m => m.Ratio).Take(PairsShown).ToArray();
        var tiles = closest.SelectMany(m => new[] { generated[m.SampleIndex], train.Images[m.NearestTrainingIndex] }).ToArray();
        ImageGrid.SavePng(stack(tiles, 0), path, columns: 8);
    }

    internal static MemorizationRow[] RowsOf(ExperimentRun run, IEnumerable<MemorizationRow> table) =>
        table.Of(run).OrderByDescending(r => r.WeightSmall).ToArray();

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
