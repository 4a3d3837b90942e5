using System.Globalization;
using CdmNotebooks.Data;
using CdmNotebooks.Experiments.Table1;
using CdmNotebooks.Reporting;

namespace CdmNotebooks.Experiments.Convergence;

/// <summary>
/// The convergence study behind Table 1: FID against training steps for the paragon and for one uniform-8 shard of every Table 1 block
/// (regime x dataset), with Table 1's own configurations and budgets. It answers whether a model lacked steps: Table 1's standard budget
/// is fair only if the paragon has plateaued (no FID gain beyond its 95 % interval over the last quarter of its steps).
/// </summary>
/// <remarks>
/// The observed models train in their own cache folder, keeping a snapshot at every observed step (a cached Table 1 model has no
/// intermediate states to evaluate); they share Table 1's bases. An interrupted run resumes the training and the curve.
/// </remarks>
public sealed class ConvergenceExperiment : Experiment<Table1Settings>
{
    /// <inheritdoc />
    public override string Name => "convergence";

    /// <inheritdoc />
    public override string Question => "Does FID stop improving within Table 1's step budgets, for the paragon and for one shard, in every training regime?";

    /// <summary>The observed steps of a model trained for <paramref name="trainSteps"/>: step 0 (where it starts: its base, or its initialization) and <paramref name="points"/> evenly spaced steps, the last one the budget.</summary>
    public static IReadOnlyList<int> ObservedSteps(int trainSteps, int points) =>
        Enumerable.Range(0, points + 1).Select(k => (int)Math.Round(trainSteps * k / (double)points)).Distinct().ToArray();

    /// <inheritdoc />
    protected override Table1Settings DefaultSettings(string profile) => Table1Settings.For(profile);

    /// <inheritdoc />
    protected override void Measure(ExperimentRun run, Table1Settings table1, ExperimentOutput output)
    {
        // smoke checks the pipeline on Table 1's first (fine-tuned) block only: each block costs one more paragon of training.
        // beyondParity: the observed shard also trains for that multiple of its parity steps (the paragon's budget in standard), which
        // shows whether a shard that misses the claim lacked steps and where it would plateau.
        var (paragonPoints, shardPoints, beyondParity, beyondPoints, perClass, grids) = run.Profile == "smoke"
            ? (4, 2, 2, 2, 10, (IReadOnlyList<Table1Grid>)table1.Grids.Take(1).ToArray())
            : (8, 4, 8, 8, 50, table1.Grids);
        var table = output.Rows<ConvergenceRow>("convergence.csv");
        var cache = new ModelCache(Path.Combine(Path.GetDirectoryName(run.Models.Root)!, "convergence-models"));
        foreach (var grid in grids.Where(g => run.Selects(g.Name)))
        {
            // Each block at its own budget (Table 1's scaled blocks train longer); the bases are shared through the model cache.
            var scale = grid.ScaleFrom(table1.Scale);
            using var pipeline = new CdmPipeline(run, scale);
            var (regime, dataset, budget) = (grid.Regime, grid.Dataset, table1.Budget(grid));
            var block = new Block(grid.Name, dataset, r => table1.InBlock(grid, r) && run.Owns(r));
            var split = SplitCatalog.LoadOrCreate(ShardSplit.NameFor(dataset, SplitScheme.Uniform, 8, ShardSplit.DefaultSeed));
            var paragonSteps = ObservedSteps(scale.Paragon.TrainSteps, paragonPoints);
            var parity = ComputeParity.ForShard(scale.Paragon, split.IdsOfShard(0).Count / (double)split.Ids.Count).TrainSteps;
            var shardSteps = ObservedSteps(parity, shardPoints);
            var beyondSteps = ObservedSteps(parity * beyondParity, beyondPoints);
            var models = new (string Model, IReadOnlyList<int> Steps, Func<TrainedModel> Train)[]
            {
                ("paragon", paragonSteps, () => pipeline.TrainParagon(dataset, regime: regime, cache: cache, snapshotSteps: paragonSteps)),
                ($"shard {split.Name}/0", shardSteps, () => pipeline.TrainShard(split, 0, regime: regime, cache: cache, snapshotSteps: shardSteps)),
                ($"shard {split.Name}/0 beyond parity (x{beyondParity})", beyondSteps,
                    () => pipeline.TrainShard(split, 0, regime: regime, cache: cache, snapshotSteps: beyondSteps, stepMultiple: beyondParity)),
            };
            foreach (var (model, steps, train) in models)
            {
                bool Measured(int step) => table.Rows.Any(r => block.Holds(r) && r.Model == model && r.Step == step);
                if (steps.All(Measured))
                {
                    continue;
                }

                run.Log($"{grid.Name} {dataset} {model}: FID at steps {string.Join(", ", steps)}");
                var trained = train();
                foreach (var step in steps.Where(s => !Measured(s)))
                {
                    using var denoiser = new LoadedShards(new[] { trained with { CheckpointPath = ModelCache.SnapshotPath(trained, step) } });
                    // The same noise at every step, so the curve shows the model changing, not the draw.
                    using var samples = pipeline.Generate(model, denoiser.Denoisers[0], run.Seed * 1000 + 700, perClass);
                    var report = pipeline.Evaluate(samples, dataset);
                    run.Log(string.Create(CultureInfo.InvariantCulture, $"  step {step}: FID {report.Fid.Value:F2} [{report.Fid.ConfidenceLow:F2}, {report.Fid.ConfidenceHigh:F2}]"));
                    table.Add(new ConvergenceRow(regime.Name, dataset, model, step, steps[^1], run.Seed, run.Profile, budget, EvaluationRow.Of(report),
                        Math.Round(samples.Seconds, 1)));
                }
            }

            output.Check(models.Select(m => LearningCheck(table.Rows, block, m.Model, m.Steps)));
            if (run.Profile != "smoke")
            {
                output.Check(PlateauCheck(table.Rows, block, paragonSteps));
            }
        }

        WriteFigures(run, table1, grids, table, output);
        output.Table("FID (CdmNet features) against training steps", table.ToTable());
        output.RunInfo["note"] =
            $"{paragonPoints} observed steps per paragon and {shardPoints} per shard, shard 0 also at {beyondParity}x its parity steps, {perClass * 10} samples each, Table 1's {run.Profile} configurations";
    }

    /// <summary>One block of this run: its name, dataset, and which rows are its.</summary>
    private sealed record Block(string Name, string Dataset, Func<ConvergenceRow, bool> Holds);

    private static EvaluationRow Point(IReadOnlyList<ConvergenceRow> table, Block block, string model, int step) =>
        table.FirstOrDefault(r => block.Holds(r) && r.Model == model && r.Step == step)?.Metrics ?? new EvaluationRow(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN, null, null, 0);

    /// <summary>The model learned: FID at its last step is below FID where it started (step 0), beyond both 95 % intervals (a model drawing noise fails it).</summary>
    private static SanityCheck LearningCheck(IReadOnlyList<ConvergenceRow> table, Block block, string model, IReadOnlyList<int> steps)
    {
        var first = Point(table, block, model, steps[0]);
        var last = Point(table, block, model, steps[^1]);
        return new SanityCheck($"quality: {block.Name} {block.Dataset} {model}: FID at step {steps[^1]} below step {steps[0]} beyond both 95 % intervals",
            last.FidHigh < first.FidLow,
            string.Create(CultureInfo.InvariantCulture, $"step {steps[0]}: {first.Fid:F2} [{first.FidLow:F2}, {first.FidHigh:F2}]; step {steps[^1]}: {last.Fid:F2} [{last.FidLow:F2}, {last.FidHigh:F2}]"));
    }

    /// <summary>Table 1's budget is fair: over the last quarter of its steps the paragon's FID did not fall below the 95 % interval it had at three quarters.</summary>
    private static SanityCheck PlateauCheck(IReadOnlyList<ConvergenceRow> table, Block block, IReadOnlyList<int> steps)
    {
        var quarter = steps.Last(s => s <= 0.75 * steps[^1] + 0.5);
        var before = Point(table, block, "paragon", quarter);
        var last = Point(table, block, "paragon", steps[^1]);
        return new SanityCheck($"plateau: {block.Name} {block.Dataset} paragon: no FID gain beyond its 95 % interval over the last quarter of its {steps[^1]} steps",
            last.Fid >= before.FidLow,
            string.Create(CultureInfo.InvariantCulture,
                $"step {quarter}: {before.Fid:F2} [{before.FidLow:F2}, {before.FidHigh:F2}]; step {steps[^1]}: {last.Fid:F2} ({(last.Fid / before.Fid - 1) * 100:+0.0;-0.0} %)"));
    }

    private static void WriteFigures(ExperimentRun run, Table1Settings table1, IReadOnlyList<Table1Grid> grids, ResultRows<ConvergenceRow> table, ExperimentOutput output)
    {
        foreach (var grid in grids)
        {
            var series = table.Rows.Of(run).Where(r => table1.InBlock(grid, r)).GroupBy(r => r.Model)
                .Select(g =>
                {
                    var points = g.OrderBy(r => r.Step).ToList();
                    return new ChartSeries(g.Key, points.Select(r => (double)r.Step).ToArray(), points.Select(r => r.Metrics.Fid).ToArray(),
                        points.Select(r => r.Metrics.FidHalfInterval).ToArray());
                })
                .ToList();
            if (series.Count == 0)
            {
                continue;
            }

            var spec = new ChartSpec(
                $"FID vs steps: {grid.Dataset}, {(grid.Regime.BaseDataset is { } baseData ? "base " + baseData : "from scratch")}, paragon budget {table1.Budget(grid)} steps", "training steps",
                "FID (CdmNet features, lower is better)", series)
            {
                Caption = $"profile {run.Profile}, seed {run.Seed}, {run.Command}; error bars half the 95 % bootstrap interval",
            };
            output.Figure(spec, $"fid-vs-steps-{grid.FileTag}-{grid.Dataset}");
        }
    }
}
