using CdmNotebooks.Reporting;
using CsvHelper;

namespace CdmNotebooks.Experiments.Forgetting;

/// <summary>One row of evaluations.csv: one model or composition sampled and scored in one state (before, or after a request).</summary>
/// <param name="Regime">The training regime's name.</param>
/// <param name="Dataset">The dataset.</param>
/// <param name="Split">The split's name.</param>
/// <param name="Shards">Its shard count.</param>
/// <param name="State">"before", or "after-{request}".</param>
/// <param name="Method">paragon or cdm.</param>
/// <param name="Router">The CDM's router kind; empty for the paragon.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Profile">The run's profile.</param>
/// <param name="Metrics">FID, KID and conditional accuracy of its samples.</param>
/// <param name="SampleSeconds">Sampling time.</param>
[CsvRecord]
public sealed partial record ForgettingEvaluationRow(
    [property: CsvColumn("regime")] string Regime,
    [property: CsvColumn("dataset")] string Dataset,
    [property: CsvColumn("split")] string Split,
    [property: CsvColumn("shards")] int Shards,
    [property: CsvColumn("state")] string State,
    [property: CsvColumn("method")] string Method,
    [property: CsvColumn("router")] string Router,
    [property: CsvColumn("seed")] int Seed,
    [property: CsvColumn("profile")] string Profile,
    [property: CsvColumn(Prefix = "")] EvaluationRow Metrics,
    [property: CsvColumn("sample_seconds")] double SampleSeconds) : IRunRow;

/// <summary>One row of forgetting.csv: what one request cost one method, and its quality before and after.</summary>
/// <param name="Regime">The training regime's name.</param>
/// <param name="Dataset">The dataset.</param>
/// <param name="Split">The split's name.</param>
/// <param name="Shards">Its shard count.</param>
/// <param name="Request">The request's name.</param>
/// <param name="ForgottenIds">IDs the request forgot.</param>
/// <param name="Method">paragon or cdm.</param>
/// <param name="Router">The CDM's router kind; empty for the paragon.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Profile">The run's profile.</param>
/// <param name="RetrainedModels">Models retrained.</param>
/// <param name="RetrainedSteps">Their training steps.</param>
/// <param name="ShardSeconds">Shard retraining time.</param>
/// <param name="RouterSeconds">Router retraining time.</param>
/// <param name="ForgetSeconds">Training time to comply.</param>
/// <param name="SpeedupVsParagon">The paragon's retraining time over this method's; empty for the paragon, or when nothing was retrained.</param>
/// <param name="StepRatioVsParagon">The same in training steps.</param>
/// <param name="FidBefore">FID before.</param>
/// <param name="FidBeforeLow">Its 95 % interval's lower end.</param>
/// <param name="FidBeforeHigh">Its upper end.</param>
/// <param name="FidAfter">FID after.</param>
/// <param name="FidAfterLow">Its 95 % interval's lower end.</param>
/// <param name="FidAfterHigh">Its upper end.</param>
/// <param name="FidIncreasePct">FID change in percent.</param>
/// <param name="ConditionalAccuracyBefore">Conditional accuracy before.</param>
/// <param name="ConditionalAccuracyAfter">Conditional accuracy after.</param>
/// <param name="LineagePassed">yes or no; empty for the paragon.</param>
/// <param name="Claim8xFaster">Whether the paper's "8x faster" holds for this row; empty for the paragon.</param>
/// <param name="ClaimFidWithin1Pct">Whether FID rose by at most 1 %; empty for the paragon.</param>
/// <param name="TrainSeconds">Training time to comply (as <paramref name="ForgetSeconds"/>).</param>
/// <param name="SampleSeconds">Sampling time of the after state.</param>
[CsvRecord]
public sealed partial record ForgettingRow(
    [property: CsvColumn("regime")] string Regime,
    [property: CsvColumn("dataset")] string Dataset,
    [property: CsvColumn("split")] string Split,
    [property: CsvColumn("shards")] int Shards,
    [property: CsvColumn("request")] string Request,
    [property: CsvColumn("forgotten_ids")] int ForgottenIds,
    [property: CsvColumn("method")] string Method,
    [property: CsvColumn("router")] string Router,
    [property: CsvColumn("seed")] int Seed,
    [property: CsvColumn("profile")] string Profile,
    [property: CsvColumn("retrained_models")] int RetrainedModels,
    [property: CsvColumn("retrained_steps")] int RetrainedSteps,
    [property: CsvColumn("shard_seconds")] double ShardSeconds,
    [property: CsvColumn("router_seconds")] double RouterSeconds,
    [property: CsvColumn("forget_seconds")] double ForgetSeconds,
    [property: CsvColumn("speedup_vs_paragon")] double? SpeedupVsParagon,
    [property: CsvColumn("step_ratio_vs_paragon")] double? StepRatioVsParagon,
    [property: CsvColumn("fid_before")] double FidBefore,
    [property: CsvColumn("fid_before_low")] double FidBeforeLow,
    [property: CsvColumn("fid_before_high")] double FidBeforeHigh,
    [property: CsvColumn("fid_after")] double FidAfter,
    [property: CsvColumn("fid_after_low")] double FidAfterLow,
    [property: CsvColumn("fid_after_high")] double FidAfterHigh,
    [property: CsvColumn("fid_increase_pct")] double FidIncreasePct,
    [property: CsvColumn("cond_acc_before")] double? ConditionalAccuracyBefore,
    [property: CsvColumn("cond_acc_after")] double? ConditionalAccuracyAfter,
    [property: CsvColumn("lineage_passed")] string LineagePassed,
    [property: CsvColumn("claim_8x_faster")] string Claim8xFaster,
    [property: CsvColumn("claim_fid_within_1pct")] string ClaimFidWithin1Pct,
    [property: CsvColumn("train_seconds")] double TrainSeconds,
    [property: CsvColumn("sample_seconds")] double SampleSeconds) : IRunRow;
