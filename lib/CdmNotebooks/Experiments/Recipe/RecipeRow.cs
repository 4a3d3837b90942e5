using CdmNotebooks.Reporting;
using CsvHelper;

namespace CdmNotebooks.Experiments.Recipe;

/// <summary>One row of recipe.csv: one recipe variant of one Table 1 block's shard 0, trained and measured.</summary>
/// <param name="Regime">The training regime's name.</param>
/// <param name="Dataset">The dataset.</param>
/// <param name="Variant">The variant's name (baseline, the starting point, or one change).</param>
/// <param name="Change">What differs from the baseline's configuration.</param>
/// <param name="TrainSteps">Training steps (0 for the starting point).</param>
/// <param name="BatchSize">Batch size; empty for the starting point.</param>
/// <param name="TrainSeconds">Training time; empty when the training resumed (its earlier time is unknown).</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Profile">The run's profile.</param>
/// <param name="Metrics">FID, KID and conditional accuracy of its samples.</param>
/// <param name="SampleSeconds">Sampling time.</param>
/// <param name="FidRatio">FID over the baseline's.</param>
/// <param name="VsBaseline">better, worse or "within intervals" (95 % FID intervals); empty for the baseline.</param>
[CsvRecord]
public sealed partial record RecipeRow(
    [property: CsvColumn("regime")] string Regime,
    [property: CsvColumn("dataset")] string Dataset,
    [property: CsvColumn("variant")] string Variant,
    [property: CsvColumn("change")] string Change,
    [property: CsvColumn("train_steps")] int TrainSteps,
    [property: CsvColumn("batch_size")] int? BatchSize,
    [property: CsvColumn("train_seconds")] double? TrainSeconds,
    [property: CsvColumn("seed")] int Seed,
    [property: CsvColumn("profile")] string Profile,
    [property: CsvColumn(Prefix = "")] EvaluationRow Metrics,
    [property: CsvColumn("sample_seconds")] double SampleSeconds,
    [property: CsvColumn("fid_ratio")] double FidRatio,
    [property: CsvColumn("vs_baseline")] string VsBaseline) : IRunRow;
