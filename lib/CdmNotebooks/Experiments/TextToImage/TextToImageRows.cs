using CsvHelper;

namespace CdmNotebooks.Experiments.TextToImage;

/// <summary>One row of text-to-image.csv: one method's TIFA-style alignment and FID on the held-out prompts (the chance row holds its score only).</summary>
/// <param name="Profile">The run's profile.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Shards">The shard count of the CDMs.</param>
/// <param name="Method">The method's name.</param>
/// <param name="Variant">real, chance, monolithic, monolithic-ft, full, fine-tuned, prompt or base.</param>
/// <param name="Router">The router kind's name, or "-".</param>
/// <param name="Prompts">Held-out prompts.</param>
/// <param name="Questions">Questions asked over them.</param>
/// <param name="Tifa">TIFA-style score.</param>
/// <param name="TifaCiLow">Its 95 % bootstrap interval's lower end.</param>
/// <param name="TifaCiHigh">Its upper end.</param>
/// <param name="TifaExistence">Answer accuracy on existence questions.</param>
/// <param name="TifaIdentity">On identity questions.</param>
/// <param name="TifaPosition">On position questions.</param>
/// <param name="TifaCount">On count questions.</param>
/// <param name="TifaMismatched">TIFA of the same images against mismatched prompts.</param>
/// <param name="TifaGainLow">The lower end of the paired 95 % bootstrap interval (over prompts) of the TIFA gain of own prompts over mismatched ones; above 0 when the images follow their own captions.</param>
/// <param name="Fid">FID in the cell classifier's logits.</param>
/// <param name="FidCiLow">Its 95 % bootstrap interval's lower end.</param>
/// <param name="FidCiHigh">Its upper end.</param>
/// <param name="FidMetric">What the FID is computed on.</param>
/// <param name="TrainSteps">Training steps.</param>
/// <param name="TrainSeconds">Training time.</param>
/// <param name="PretrainSeconds">The base's training time (outside compute parity).</param>
/// <param name="SampleSeconds">Sampling time.</param>
/// <param name="MaxWeightSumError">The largest |sum of weights - 1| of a composition.</param>
/// <param name="MeanFinalTopWeight">Mean weight of the top shard at the last step.</param>
[CsvRecord]
public sealed partial record TextToImageRow(
    [property: CsvColumn("profile")] string Profile,
    [property: CsvColumn("seed")] int Seed,
    [property: CsvColumn("shards")] int Shards,
    [property: CsvColumn("method")] string Method,
    [property: CsvColumn("variant")] string Variant,
    [property: CsvColumn("router")] string Router,
    [property: CsvColumn("prompts")] int Prompts,
    [property: CsvColumn("questions")] int? Questions,
    [property: CsvColumn("tifa")] double Tifa,
    [property: CsvColumn("tifa_ci_low")] double? TifaCiLow,
    [property: CsvColumn("tifa_ci_high")] double? TifaCiHigh,
    [property: CsvColumn("tifa_existence")] double? TifaExistence,
    [property: CsvColumn("tifa_identity")] double? TifaIdentity,
    [property: CsvColumn("tifa_position")] double? TifaPosition,
    [property: CsvColumn("tifa_count")] double? TifaCount,
    [property: CsvColumn("tifa_mismatched")] double? TifaMismatched,
    [property: CsvColumn("tifa_gain_low")] double? TifaGainLow,
    [property: CsvColumn("fid")] double? Fid,
    [property: CsvColumn("fid_ci_low")] double? FidCiLow,
    [property: CsvColumn("fid_ci_high")] double? FidCiHigh,
    [property: CsvColumn("fid_metric")] string FidMetric,
    [property: CsvColumn("train_steps")] int? TrainSteps,
    [property: CsvColumn("train_seconds")] double? TrainSeconds,
    [property: CsvColumn("pretrain_seconds")] double? PretrainSeconds,
    [property: CsvColumn("sample_seconds")] double? SampleSeconds,
    [property: CsvColumn("max_weight_sum_error")] double? MaxWeightSumError,
    [property: CsvColumn("mean_final_top_weight")] double? MeanFinalTopWeight) : IRunRow;

/// <summary>One row of relative-to-monolithic.csv: a shard-based method's TIFA change against the monolithic model that started like it.</summary>
/// <param name="Profile">The run's profile.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Method">The method.</param>
/// <param name="Reference">The monolithic model it is compared with.</param>
/// <param name="Tifa">Its TIFA-style score.</param>
/// <param name="TifaReference">The reference's.</param>
/// <param name="TifaChangePercent">The change in percent (the paper's +14.33 %).</param>
/// <param name="Fid">Its FID.</param>
/// <param name="FidReference">The reference's.</param>
[CsvRecord]
public sealed partial record TextToImageRelativeRow(
    [property: CsvColumn("profile")] string Profile,
    [property: CsvColumn("seed")] int Seed,
    [property: CsvColumn("method")] string Method,
    [property: CsvColumn("reference")] string Reference,
    [property: CsvColumn("tifa")] double Tifa,
    [property: CsvColumn("tifa_reference")] double TifaReference,
    [property: CsvColumn("tifa_change_percent")] double TifaChangePercent,
    [property: CsvColumn("fid")] double? Fid,
    [property: CsvColumn("fid_reference")] double? FidReference) : IRunRow;
