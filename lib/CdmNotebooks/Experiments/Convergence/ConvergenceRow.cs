using CdmNotebooks.Experiments.Table1;
using CdmNotebooks.Reporting;
using CsvHelper;

namespace CdmNotebooks.Experiments.Convergence;

/// <summary>One row of convergence.csv: one observed step of one model of one Table 1 block.</summary>
/// <param name="Regime">The training regime's name.</param>
/// <param name="Dataset">The dataset.</param>
/// <param name="Model">"paragon", "shard {split}/0", or that shard trained beyond its parity steps.</param>
/// <param name="Step">The observed step (0: where training started).</param>
/// <param name="TrainSteps">The model's last observed step.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Profile">The run's profile.</param>
/// <param name="Budget">The Table 1 block's paragon steps.</param>
/// <param name="Metrics">FID, KID and conditional accuracy of the snapshot's samples.</param>
/// <param name="SampleSeconds">Sampling time.</param>
[CsvRecord]
public sealed partial record ConvergenceRow(
    [property: CsvColumn("regime")] string Regime,
    [property: CsvColumn("dataset")] string Dataset,
    [property: CsvColumn("model")] string Model,
    [property: CsvColumn("step")] int Step,
    [property: CsvColumn("train_steps")] int TrainSteps,
    [property: CsvColumn("seed")] int Seed,
    [property: CsvColumn("profile")] string Profile,
    [property: CsvColumn("budget")] int Budget,
    [property: CsvColumn(Prefix = "")] EvaluationRow Metrics,
    [property: CsvColumn("sample_seconds")] double SampleSeconds) : IBlockRow, IRunRow;
