using CdmNotebooks.Evaluation;
using CdmNotebooks.Experiments.Attribution;

namespace CdmNotebooks.Experiments.Memorization;

/// <summary>What E5 (memorization) measures under a profile: the small shard and how long it trains, the mixture weights, the probe threshold, and the domain composition of Fig. 4A.</summary>
/// <param name="Scale">Sizes of the large "rest" shard (compute parity: it holds almost all data, so it gets almost the paragon's steps) and of sampling.</param>
/// <param name="Dataset">The dataset the small shard is drawn from.</param>
/// <param name="SmallPerClass">Training images per class in the small shard (10 classes).</param>
/// <param name="SmallShardSteps">Optimizer steps of the small shard: deliberately many epochs, outside compute parity, so that it memorizes.</param>
/// <param name="SmallShardBatch">Batch size of the small shard.</param>
/// <param name="SmallWeights">Mixture weight of the small shard in each measured composition (the rest shard gets 1 - w).</param>
/// <param name="SamplesPerClass">Generated images per class for each mixture.</param>
/// <param name="Threshold">Near-copy threshold on d_nearest / mean(d_1..d_k) (Carlini et al. 2023: 1/6).</param>
/// <param name="Neighbours">k of the probe's denominator (Carlini et al.: 50).</param>
/// <param name="MinimumMemorizedAlone">The small shard alone must memorize at least this fraction of its samples, otherwise the mixing comparison means nothing.</param>
/// <param name="Domain">Settings of the domain shards composed for an out-of-distribution request (Fig. 4A); the same as E4's so both reuse the cached shards.</param>
/// <param name="OodSamplesPerClass">Generated images per class for each method of Fig. 4A.</param>
public sealed record MemorizationSettings(
    ExperimentScale Scale,
    string Dataset,
    int SmallPerClass,
    int SmallShardSteps,
    int SmallShardBatch,
    IReadOnlyList<double> SmallWeights,
    int SamplesPerClass,
    double Threshold,
    int Neighbours,
    double MinimumMemorizedAlone,
    AttributionSettings Domain,
    int OodSamplesPerClass)
{
    /// <summary>The paper's Fig. 4B weights (1, 0), (0.5, 0.5), (0.25, 0.75), plus (0, 1): the rest shard alone, as the no-memorization control.</summary>
    public static IReadOnlyList<double> PaperWeights { get; } = [1.0, 0.5, 0.25, 0.0];

    /// <summary>The settings as name/value rows, for a notebook table.</summary>
    public IReadOnlyDictionary<string, string> Describe() => new Dictionary<string, string>
    {
        ["dataset"] = Dataset,
        ["small shard"] = $"{SmallPerClass * 10} images ({SmallPerClass} per class), {SmallShardSteps} steps of batch {SmallShardBatch} ({SmallShardSteps * SmallShardBatch / (SmallPerClass * 10)} epochs)",
        ["rest shard"] = $"all other training images, compute parity against {Scale.Paragon.TrainSteps} steps of batch {Scale.Paragon.BatchSize}",
        ["weights of the small shard"] = string.Join(", ", SmallWeights.Select(w => w.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture))),
        ["samples per mixture"] = $"{SamplesPerClass * 10} ({SamplesPerClass} per class)",
        ["near-copy rule"] = $"d1 / mean(d1..d{Neighbours}) < {Threshold:F4} against every training image",
        ["checks"] = $"memorized at (1, 0) >= {MinimumMemorizedAlone:P0}; memorized at (0.25, 0.75) < at (1, 0)",
        ["Fig. 4A"] = $"{Domain.DomainSplit}, {OodSamplesPerClass * 10} samples per method",
    };

    /// <summary>The settings of <paramref name="profile"/>.</summary>
    public static MemorizationSettings For(string profile) => profile switch
    {
        // One image per class trained for thousands of epochs: the smallest shard that reliably copies its images (more images per
        // class blend instead; the probes are in docs/benchmarks.md, "How the experiments' settings were found").
        "smoke" => new MemorizationSettings(ExperimentScale.Shared("smoke"), "mnist10k", SmallPerClass: 1, SmallShardSteps: 3000, SmallShardBatch: 10,
            PaperWeights, SamplesPerClass: 20, MemorizationProbe.DefaultThreshold, MemorizationProbe.DefaultNeighbours, MinimumMemorizedAlone: 0.2,
            AttributionSettings.For("smoke"), OodSamplesPerClass: 4),
        // The smoke recipe on the larger standard UNet: more capacity memorizes at least as readily.
        "standard" => new MemorizationSettings(ExperimentScale.Shared("standard"), "mnist10k", SmallPerClass: 1, SmallShardSteps: 3000, SmallShardBatch: 10,
            PaperWeights, SamplesPerClass: 50, MemorizationProbe.DefaultThreshold, MemorizationProbe.DefaultNeighbours, MinimumMemorizedAlone: 0.2,
            AttributionSettings.For("standard"), OodSamplesPerClass: 10),
        "paper" => new MemorizationSettings(ExperimentScale.For("paper"), "mnist10k", SmallPerClass: 5, SmallShardSteps: 20_000, SmallShardBatch: 50,
            PaperWeights, SamplesPerClass: 200, MemorizationProbe.DefaultThreshold, MemorizationProbe.DefaultNeighbours, MinimumMemorizedAlone: 0.2,
            AttributionSettings.For("paper"), OodSamplesPerClass: 50),
        _ => throw new ArgumentException($"Unknown profile '{profile}'. Use smoke, standard or paper.", nameof(profile)),
    };
}
