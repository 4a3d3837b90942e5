using CdmNotebooks.Reporting;
using CsvHelper;

namespace CdmNotebooks.Experiments.Memorization;

/// <summary>One row of memorization.csv: one mixture of the small (memorizing) shard and the rest shard, probed for near-copies and scored.</summary>
/// <param name="Dataset">The dataset.</param>
/// <param name="Split">The split's name (small shard vs rest).</param>
/// <param name="Shards">Shards with a nonzero weight.</param>
/// <param name="Method">The mixture's name.</param>
/// <param name="WeightSmall">The small shard's mixture weight.</param>
/// <param name="WeightRest">The rest shard's.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Profile">The run's profile.</param>
/// <param name="MemorizedFractionPixel">Samples that are near-copies of a small-shard image (pixel space).</param>
/// <param name="NearCopyFractionPixel">Samples that are near-copies of any training image (pixel space).</param>
/// <param name="MemorizedFractionFeature">As <paramref name="MemorizedFractionPixel"/>, in CdmNet features.</param>
/// <param name="NearCopyFractionFeature">As <paramref name="NearCopyFractionPixel"/>, in CdmNet features.</param>
/// <param name="MedianRatioPixel">Median of d1 / mean(d1..dk) over the samples (pixel space).</param>
/// <param name="Threshold">The near-copy threshold on that ratio.</param>
/// <param name="Neighbours">k.</param>
/// <param name="Metrics">FID, KID and conditional accuracy of the samples (against the held-out part).</param>
/// <param name="SmallShardImages">Images in the small shard.</param>
/// <param name="SmallShardSteps">Its training steps.</param>
/// <param name="SmallShardEpochs">Its epochs.</param>
/// <param name="RestShardImages">Images in the rest shard.</param>
/// <param name="RestShardSteps">Its training steps.</param>
/// <param name="TrainSeconds">Training time of the shards with a nonzero weight.</param>
/// <param name="SampleSeconds">Sampling time.</param>
[CsvRecord]
public sealed partial record MemorizationRow(
    [property: CsvColumn("dataset")] string Dataset,
    [property: CsvColumn("split")] string Split,
    [property: CsvColumn("shards")] int Shards,
    [property: CsvColumn("method")] string Method,
    [property: CsvColumn("weight_small")] double WeightSmall,
    [property: CsvColumn("weight_rest")] double WeightRest,
    [property: CsvColumn("seed")] int Seed,
    [property: CsvColumn("profile")] string Profile,
    [property: CsvColumn("memorized_fraction_pixel")] double MemorizedFractionPixel,
    [property: CsvColumn("near_copy_fraction_pixel")] double NearCopyFractionPixel,
    [property: CsvColumn("memorized_fraction_feature")] double MemorizedFractionFeature,
    [property: CsvColumn("near_copy_fraction_feature")] double NearCopyFractionFeature,
    [property: CsvColumn("median_ratio_pixel")] double MedianRatioPixel,
    [property: CsvColumn("threshold")] double Threshold,
    [property: CsvColumn("neighbours")] int Neighbours,
    [property: CsvColumn(Prefix = "")] EvaluationRow Metrics,
    [property: CsvColumn("small_shard_images")] int SmallShardImages,
    [property: CsvColumn("small_shard_steps")] int SmallShardSteps,
    [property: CsvColumn("small_shard_epochs")] double SmallShardEpochs,
    [property: CsvColumn("rest_shard_images")] int RestShardImages,
    [property: CsvColumn("rest_shard_steps")] int RestShardSteps,
    [property: CsvColumn("train_seconds")] double TrainSeconds,
    [property: CsvColumn("sample_seconds")] double SampleSeconds) : IRunRow;

/// <summary>One row of ood.csv: one way of composing the two domain shards for an out-of-distribution request, with what the domain judge saw.</summary>
/// <param name="Dataset">The union dataset.</param>
/// <param name="Split">The by-domain split.</param>
/// <param name="Method">The composition's name.</param>
/// <param name="Weights">Its fixed weights, or "posterior (ito-density)".</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Profile">The run's profile.</param>
/// <param name="Samples">Samples judged.</param>
/// <param name="JudgedMnist10kFraction">Samples the judge puts in the MNIST domain.</param>
/// <param name="JudgedFashionMnistFraction">Samples the judge puts in the Fashion-MNIST domain.</param>
/// <param name="MeanDomainEntropyBits">Mean entropy of the judge's domain probabilities.</param>
/// <param name="HybridFraction">Samples whose most likely domain has probability below the hybrid threshold.</param>
/// <param name="SampleSeconds">Sampling time.</param>
[CsvRecord]
public sealed partial record OodRow(
    [property: CsvColumn("dataset")] string Dataset,
    [property: CsvColumn("split")] string Split,
    [property: CsvColumn("method")] string Method,
    [property: CsvColumn("weights")] string Weights,
    [property: CsvColumn("seed")] int Seed,
    [property: CsvColumn("profile")] string Profile,
    [property: CsvColumn("samples")] int Samples,
    [property: CsvColumn("judged_mnist10k_fraction")] double JudgedMnist10kFraction,
    [property: CsvColumn("judged_fashion-mnist_fraction")] double JudgedFashionMnistFraction,
    [property: CsvColumn("mean_domain_entropy_bits")] double MeanDomainEntropyBits,
    [property: CsvColumn("hybrid_fraction")] double HybridFraction,
    [property: CsvColumn("sample_seconds")] double SampleSeconds) : IRunRow;
