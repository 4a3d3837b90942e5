using System.Globalization;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Experiments.Table1;
using CdmNotebooks.Reporting;

namespace CdmNotebooks.Experiments.Recipe;

/// <summary>
/// The recipe study behind Table 1 (issue 17): each change to Table 1's training recipe measured alone (min-SNR weighting, learning-rate
/// decay, EMA, batch size at equal samples seen) on shard 0 of the uniform-8 split of every Table 1 block, at its compute-parity budget.
/// </summary>
/// <remarks>
/// Every variant is the same shard, seed and regime trained by the one trainer with the baseline's configuration changed in its declared
/// fields only, and sampled from the same noise, so a FID difference is the recipe's and the train seconds are its cost. The models train
/// in their own cache folder (the bases are Table 1's); an interrupted run resumes its training and its table.
/// </remarks>
public sealed class RecipeExperiment : Experiment<Table1Settings>
{
    /// <summary>The row of Table 1's recipe, which every other variant changes in one respect.</summary>
    public const string Baseline = "baseline";

    /// <summary>The row of the baseline's starting point: step 0, the base for a fine-tuned regime, the initialization from scratch.</summary>
    public const string Start = "step 0 (start)";

    /// <inheritdoc />
    public override string Name => "recipe";

    /// <inheritdoc />
    public override string Question => "Which change to Table 1's training recipe (min-SNR weighting, learning-rate decay, EMA, batch size) lowers FID at a shard's compute-parity budget?";

    /// <inheritdoc />
    protected override Table1Settings DefaultSettings(string profile) => Table1Settings.For(profile);

    /// <inheritdoc />
    protected override void Measure(ExperimentRun run, Table1Settings table1, ExperimentOutput output)
    {
        // The study compares recipes at a shard's compute-parity budget of the profile's scale: blocks with a multiplied budget are not studied.
        var selected = table1.Grids.Where(g => g.StepMultiple == 1 && run.Selects(g.Regime)).ToArray();
        if (selected.Length == 0)
        {
            throw new ArgumentException(
                $"No Table 1 block of the {run.Profile} profile has regime '{run.Regime}'. Its regimes: {string.Join(", ", table1.Grids.Select(g => g.Regime.Name).Distinct())}.");
        }

        // smoke checks the pipeline on one block: each block trains and samples every variant once more.
        var (perClass, grids) = run.Profile == "smoke" ? (10, selected.Take(1).ToArray()) : (50, selected);
        var table = output.Rows<RecipeRow>("recipe.csv");
        var cache = new ModelCache(Path.Combine(Path.GetDirectoryName(run.Models.Root)!, "recipe-models"));
        var pipeline = output.Own(new CdmPipeline(run, table1.Scale));
        foreach (var grid in grids)
        {
            var (regime, dataset) = (grid.Regime, grid.Dataset);
            var split = SplitCatalog.LoadOrCreate(ShardSplit.NameFor(dataset, SplitScheme.Uniform, 8, ShardSplit.DefaultSeed));

            void Score(string variant, TrainedModel model, string change, TrainingConfig? config)
            {
                if (Point(table.Rows, run, regime.Name, dataset, variant) is not null)
                {
                    return;
                }

                run.Log($"{regime.Name} {dataset} {variant}: {perClass * 10} samples");
                using var denoiser = new LoadedShards(new[] { model });
                // The same noise for every variant, so the rows differ by the recipe, not by the draw.
                using var samples = pipeline.Generate(variant, denoiser.Denoisers[0], run.Seed * 1000 + 800, perClass);
                var report = pipeline.Evaluate(samples, dataset);
                var fid = EvaluationRow.Of(report);
                var baseline = variant == Baseline ? fid : Point(table.Rows, run, regime.Name, dataset, Baseline)?.Metrics;
                var ratio = fid.Fid / (baseline?.Fid ?? double.NaN);
                run.Log(string.Create(CultureInfo.InvariantCulture, $"  FID {fid.Fid:F2} [{fid.FidLow:F2}, {fid.FidHigh:F2}], {ratio:F3}x the baseline"));
                table.Add(new RecipeRow(regime.Name, dataset, variant, change, config?.TrainSteps ?? 0, config?.BatchSize,
                    config is null ? 0 : model.ResumedFromStep > 0 ? null : Math.Round(model.TrainSeconds, 1), run.Seed, run.Profile, fid,
                    Math.Round(samples.Seconds, 1), Math.Round(ratio, 3), variant == Baseline || baseline is null ? "" : Versus(fid, baseline)));
            }

            run.Log($"{regime.Name} {dataset}: shard 0 of {split.Name} per recipe variant");
            // Step 0 is kept so the baseline can be compared with where it started.
            var trained = pipeline.TrainShard(split, 0, regime: regime, cache: cache, snapshotSteps: [0]);
            var baselineConfig = Checkpoint.ReadHeader(trained.CheckpointPath).Config;
            Score(Baseline, trained, "Table 1's recipe", baselineConfig);
            Score(Start, trained with { CheckpointPath = ModelCache.SnapshotPath(trained, 0) }, "no training", null);
            output.Check(LearningCheck(table.Rows, run, regime.Name, dataset));
            foreach (var variant in RecipeVariant.For(baselineConfig))
            {
                var model = pipeline.TrainShard(split, 0, regime: regime, cache: cache, recipe: variant.Change);
                var config = Checkpoint.ReadHeader(model.CheckpointPath).Config;
                var differences = RecipeVariant.Differences(baselineConfig, config);
                output.Check(new SanityCheck($"one change: {regime.Name} {dataset} {variant.Name}: its trained configuration differs from the baseline's in {string.Join(", ", variant.Fields)} only",
                    differences.Select(d => d.Field).Order().SequenceEqual(variant.Fields.Order()), string.Join("; ", differences.Select(d => d.Change))));
                Score(variant.Name, model, string.Join("; ", differences.Select(d => d.Change)), config);
            }
        }

        WriteFigures(run, grids, table, output);
        output.Table("FID (CdmNet features) of each recipe variant at a shard's budget", table.ToTable());
        output.RunInfo["note"] =
            $"shard 0 of each block's uniform-8 split at its compute-parity budget, one recipe change per variant, {perClass * 10} samples each from the same noise, Table 1's {run.Profile} configurations";
    }

    /// <summary>better or worse when the variant's 95 % FID interval lies wholly below or above the baseline's; otherwise within intervals.</summary>
    private static string Versus(EvaluationRow variant, EvaluationRow baseline) =>
        variant.FidHigh < baseline.FidLow ? "better" : variant.FidLow > baseline.FidHigh ? "worse" : "within intervals";

    private static RecipeRow? Point(IReadOnlyList<RecipeRow> table, ExperimentRun run, string regime, string dataset, string variant) =>
        table.Of(run).FirstOrDefault(r => r.Regime == regime && r.Dataset == dataset && r.Variant == variant);

    /// <summary>The baseline learned: its FID is below its starting point's beyond both 95 % intervals (a model drawing noise fails it).</summary>
    private static SanityCheck LearningCheck(IReadOnlyList<RecipeRow> table, ExperimentRun run, string regime, string dataset)
    {
        var start = Point(table, run, regime, dataset, Start)?.Metrics;
        var trained = Point(table, run, regime, dataset, Baseline)?.Metrics;
        return new SanityCheck($"quality: {regime} {dataset} baseline: FID below its starting point's (step 0) beyond both 95 % intervals",
            trained is not null && start is not null && trained.FidHigh < start.FidLow,
            string.Create(CultureInfo.InvariantCulture,
                $"step 0: {start?.Fid:F2} [{start?.FidLow:F2}, {start?.FidHigh:F2}]; trained: {trained?.Fid:F2} [{trained?.FidLow:F2}, {trained?.FidHigh:F2}]"));
    }

    private static void WriteFigures(ExperimentRun run, IReadOnlyList<Table1Grid> grids, ResultRows<RecipeRow> table, ExperimentOutput output)
    {
        foreach (var grid in grids)
        {
            // The starting point is left out: its FID is many times the variants' and would flatten their bars.
            var rows = table.Rows.Of(run).Where(r => r.Regime == grid.Regime.Name && r.Dataset == grid.Dataset && r.Variant != Start)
                .ToList();
            if (rows.Count == 0)
            {
                continue;
            }

            var series = new ChartSeries("FID",
                rows.Select((_, i) => (double)i).ToArray(),
                rows.Select(r => r.Metrics.Fid).ToArray(),
                rows.Select(r => r.Metrics.FidHalfInterval).ToArray());
            var spec = new ChartSpec($"{grid.Dataset}, {grid.Regime.Name}: FID by recipe change", "recipe (one change each; shard 0 of uniform-8 at its parity budget)",
                "FID (CdmNet), lower is better", [series], ChartKind.Bar)
            {
                Categories = rows.Select(r => r.Variant).ToArray(),
                Caption = $"profile {run.Profile}, seed {run.Seed}, {run.Command}; error bars half the 95 % bootstrap interval",
            };
            output.Figure(spec, $"fid-by-recipe-{grid.Regime.FileTag}-{grid.Dataset}");
        }
    }
}
