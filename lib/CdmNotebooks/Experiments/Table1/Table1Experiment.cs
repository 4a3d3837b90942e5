using CdmNotebooks.Composition;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Evaluation;
using CdmNotebooks.Reporting;

namespace CdmNotebooks.Experiments.Table1;

/// <summary>E1: paragon vs CDM (each router kind) vs the one-model baselines (random pick, soup) and the best-provisioned single shard, over training regimes, datasets, split schemes and shard counts, at compute parity.</summary>
public sealed class Table1Experiment : Experiment<Table1Settings>
{
    /// <summary>Runs the profile's grid, or <paramref name="settings"/> when given (e.g. a smaller grid in a notebook).</summary>
    public Table1Experiment(Table1Settings? settings = null)
        : base(settings)
    {
    }

    /// <inheritdoc />
    public override string Name => "table1";

    /// <inheritdoc />
    public override string Question =>
        "At equal training compute, how close does a compartmentalized model (shards composed by each router kind) come to the paragon trained on all data, and how much worse is naive averaging?";

    /// <inheritdoc />
    protected override Table1Settings DefaultSettings(string profile) => Table1Settings.For(profile);

    /// <inheritdoc />
    protected override void Measure(ExperimentRun run, Table1Settings settings, ExperimentOutput output)
    {
        var grids = settings.Grids.Where(g => run.Selects(g.Name)).ToList();
        if (grids.Count == 0)
        {
            throw new ArgumentException($"No Table 1 block of the {run.Profile} profile is named '{run.Regime}'. Its blocks: {string.Join(", ", settings.Grids.Select(g => g.Name))}.");
        }

        var table = output.Rows<Table1Row>("table1.csv");
        var floors = output.Rows<FloorRow>("floor.csv");
        // One pipeline per budget: a block with a multiplied budget trains its paragon and shards at its own scale; bases are shared.
        var pipelines = new Dictionary<int, CdmPipeline>();
        CdmPipeline PipelineFor(Table1Grid grid) =>
            pipelines.TryGetValue(grid.StepMultiple, out var p) ? p : pipelines[grid.StepMultiple] = output.Own(new CdmPipeline(run, grid.ScaleFrom(settings.Scale)));
        var bookkeeping = new List<SanityCheck>();
        var pipeline = PipelineFor(grids[0]);

        foreach (var dataset in settings.Datasets)
        {
            if (!floors.Rows.Of(run).Any(f => f.Dataset == dataset))
            {
                run.Log($"{dataset}: real-vs-real floor");
                floors.Add(new FloorRow(dataset, run.Seed, run.Profile, EvaluationRow.Of(pipeline.RealFloor(dataset))));
            }
        }

        // The claim's rows (n = 8) of every block first, then naive averaging at n = 8 (dense: it costs n models per step and is not part
        // of the claim), then the rest (a stable sort keeps the block order): a standard run takes hours, and an interrupted one then holds
        // the claim in every regime before any n = 2 or 4 row.
        var order = grids.SelectMany(g => g.Splits.Where(s => run.Shards is null || s.Shards == run.Shards).Select(s => (Grid: g, Split: s)))
            .SelectMany(x => x.Split.Shards == 8
                ? new[] { (x.Grid, x.Split, Pass: 0, WithNaive: false), (x.Grid, x.Split, Pass: 1, WithNaive: true) }
                : new[] { (x.Grid, x.Split, Pass: 2, WithNaive: true) })
            .OrderBy(x => x.Pass).ToList();
        foreach (var (grid, (scheme, n), _, withNaive) in order)
        {
            var context = new RowContext(grid, settings.Budget(grid), run);
            MeasureParagon(PipelineFor(grid), settings, context, table);
            var split = SplitCatalog.LoadOrCreate(ShardSplit.NameFor(grid.Dataset, scheme, n, ShardSplit.DefaultSeed));
            MeasureSplit(PipelineFor(grid), settings, context, table, split, withNaive);
        }

        foreach (var grid in grids)
        {
            var context = new RowContext(grid, settings.Budget(grid), run);
            var splits = grid.Splits.Where(s => run.Shards is null || s.Shards == run.Shards).ToList();
            if (PipelineFor(grid).TrainBase(grid.Regime) is { } baseModel)
            {
                bookkeeping.AddRange(Table1Checks.LineageChecks(PipelineFor(grid), grid.Regime, grid.Dataset, splits, baseModel));
                bookkeeping.AddRange(Table1Checks.RandomPickChecks(table, context, splits));
            }

            bookkeeping.AddRange(splits.Select(s => Table1Checks.ParityCheck(table, context, s.Scheme.Kind, s.Shards)));
        }

        Table1Charts.WriteFigures(run, settings, table, output);
        Table1Charts.SampleImages(run, settings, grids, output);
        output.Check(Table1Checks.ByClassChecks(table.Rows, settings, run));
        var parity = bookkeeping.Where(c => c.Name.StartsWith("parity ", StringComparison.Ordinal)).ToList();
        output.Check(new SanityCheck("compute parity: sum of shard train steps equals the paragon's (within rounding) for every split",
            parity.All(c => c.Passed), string.Join("; ", parity.Select(c => c.Detail))));
        output.Check(bookkeeping.Except(parity));
        output.Table("Table 1 (FID and KID in CdmNet features)", table.ToTable());
        output.Table("Real-vs-real floor", floors.ToTable());
        output.RunInfo["note"] = settings.Note;
    }

    /// <summary>
    /// The base's row (scheme all, 0 shards: it saw none of the block's data) and the paragon's row of the block of <paramref name="context"/>, each trained
    /// lazily; nothing when measured. The base's FID is where every fine-tuned model starts: a ratio to the paragon reads as a reproduction only
    /// when the paragon moved away from it.
    /// </summary>
    private static void MeasureParagon(CdmPipeline pipeline, Table1Settings settings, RowContext context, ResultRows<Table1Row> table)
    {
        var grid = context.Grid;
        if (pipeline.TrainBase(grid.Regime) is { } baseModel && !Measured(table, context, "all", 0, "base"))
        {
            context.Run.Log($"{grid.Regime.Name}: base {baseModel.Data} ({baseModel.TrainSteps} steps, {baseModel.TrainSeconds:F0} s; pretraining, outside compute parity)");
            using var loadedBase = new LoadedShards(new[] { baseModel });
            table.Add(Measure(pipeline, context, settings.HeadlineSamplesPerClass, "all", 0, "base", "-", loadedBase.Denoisers[0], baseModel.TrainSteps, baseModel.TrainSeconds, 0));
        }

        if (Measured(table, context, "all", 1, "paragon"))
        {
            return;
        }

        var trained = pipeline.TrainParagon(grid.Dataset, regime: grid.Regime);
        using var denoiser = new LoadedShards(new[] { trained });
        table.Add(Measure(pipeline, context, settings.HeadlineSamplesPerClass, "all", 1, "paragon", "-", denoiser.Denoisers[0], trained.TrainSteps, trained.TrainSeconds, 0));
    }

    /// <summary>The key columns every row of one block (regime, dataset, budget) of this run shares.</summary>
    internal sealed record RowContext(Table1Grid Grid, int Budget, ExperimentRun Run)
    {
        public string Regime => Grid.Regime.Name;

        public string Dataset => Grid.Dataset;

        /// <summary>The row of (<paramref name="scheme"/>, <paramref name="shards"/>, <paramref name="method"/>) in this block and run, or null.</summary>
        public Table1Row? Row(ResultRows<Table1Row> table, string scheme, int shards, string method) => table.Rows.Of(Run).FirstOrDefault(r =>
            r.Regime == Regime && r.Dataset == Dataset && r.Budget == Budget && r.Scheme == scheme && r.Shards == shards && r.Method == method);
    }

    internal static bool Measured(ResultRows<Table1Row> table, RowContext context, string scheme, int shards, string method) => context.Row(table, scheme, shards, method) is not null;

    /// <summary>The methods of one split in measuring order: the claim's comparisons first (trained router, one-model baselines), dense methods last.</summary>
    /// <remarks>
    /// Under the naive-router mutation every router is naive averaging, so every composition costs n models per step: that run measures
    /// only the rows its verdict reads (classifier rows for parity and the by-class gate, Ito and naive for the gate); the other rows
    /// would be naive averaging under another name.
    /// </remarks>
    internal static IReadOnlyList<string> SplitMethods(TrainingRegime regime, string scheme, ExperimentMutation mutation) =>
        mutation == ExperimentMutation.NaiveRouter
            ? scheme == SplitScheme.ByClass.Kind ? ["cdm-classifier", "cdm-ito", "cdm-naive"] : ["cdm-classifier"]
            : new[] { "cdm-classifier", "cdm-random-pick" }
                .Concat(regime.HasBase ? ["soup"] : Array.Empty<string>())
                .Concat(["single-shard", "cdm-compartmentalized", "cdm-ito", "cdm-naive"])
                .ToArray();

    private static void MeasureSplit(
        CdmPipeline pipeline, Table1Settings settings, RowContext context, ResultRows<Table1Row> table, ShardSplit split, bool withNaive)
    {
        var regime = context.Grid.Regime;
        var scheme = split.Scheme.Kind;
        var n = split.ShardCount;
        var missing = SplitMethods(regime, scheme, context.Run.Mutation).Where(m => (withNaive || m != "cdm-naive") && !Measured(table, context, scheme, n, m)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        var shards = pipeline.TrainShards(split, regime);
        var steps = shards.Sum(s => s.TrainSteps);
        var seconds = shards.Sum(s => s.TrainSeconds);
        var ids = Enumerable.Range(0, n).Select(s => split.IdsOfShard(s)).ToArray();
        var perClass = settings.SamplesPerClassFor(n);
        SplitStore? store = null;
        using var loaded = new LoadedShards(shards);
        foreach (var method in missing)
        {
            run(context).Log($"{context.Grid.Name} {split.Name}: {method}");
            if (method == "single-shard")
            {
                // The single shard with the most data: at compute parity it also has the most steps, so it is the best-provisioned one.
                var largest = Enumerable.Range(0, n).OrderByDescending(s => ids[s].Count).ThenBy(s => s).First();
                table.Add(Measure(pipeline, context, perClass, scheme, n, method, $"shard {largest}", loaded.Denoisers[largest],
                    shards[largest].TrainSteps, shards[largest].TrainSeconds, 0));
            }
            else if (method == "soup")
            {
                var soup = CdmPipeline.Soup(shards, ids.Select(s => s.Count).ToArray());
                try
                {
                    table.Add(Measure(pipeline, context, perClass, scheme, n, method, "soup", soup, steps, seconds, 0));
                }
                finally
                {
                    soup.Network.Dispose();
                }
            }
            else
            {
                // Built once per split, with the trained routers the missing rows need (none under the naive-router mutation).
                store ??= SplitStore.Create(pipeline, split, StoreRoot(context, split), TrainedRouters(missing, context.Run.Mutation), regime);
                var kind = RouterKindNames.Parse(method["cdm-".Length..]);
                using var composed = store.Compose(kind);
                var routerSeconds = store.Routers.Trainings.Where(t => t.Kind == kind).Sum(t => t.Seconds);
                table.Add(Measure(pipeline, context, perClass, scheme, n, method, kind.Name(), composed.Denoiser, steps, seconds, routerSeconds));
            }
        }

        static ExperimentRun run(RowContext c) => c.Run;
    }

    private static IReadOnlyList<RouterKind> TrainedRouters(IEnumerable<string> methods, ExperimentMutation mutation) =>
        mutation == ExperimentMutation.NaiveRouter
            ? []
            : methods.Where(m => m.StartsWith("cdm-", StringComparison.Ordinal)).Select(m => RouterKindNames.Parse(m["cdm-".Length..])).Where(k => k.IsTrained()).ToList();

    private static string StoreRoot(RowContext context, ShardSplit split) =>
        Path.Combine(Path.GetDirectoryName(context.Run.Models.Root)!, "registries", "table1", context.Run.Profile, $"seed-{context.Run.Seed}",
            context.Grid.FileTag, split.Name);

    private static Table1Row Measure(
        CdmPipeline pipeline, RowContext context, int samplesPerClass, string scheme, int shards, string method, string router, IDenoiser denoiser,
        int trainSteps, double trainSeconds, double routerSeconds)
    {
        var run = context.Run;
        var dataset = context.Dataset;
        // Every method samples from the same noise (same seed), so differences come from the models, not the draw.
        using var samples = pipeline.Generate(method, denoiser, run.Seed * 1000 + 500, samplesPerClass);
        var report = pipeline.Evaluate(samples, dataset);
        ImageGrid.SavePng(samples.Images.narrow(0, 0, Math.Min(20, samples.Images.shape[0])), run.ResultPath(Table1Charts.SampleGridName(context.Grid, scheme, shards, method)), columns: 10);
        run.Log($"  {method}: FID {report.Fid.Value:F2}, conditional accuracy {report.ConditionalAccuracy?.Accuracy:F3}, sampled in {samples.Seconds:F0} s");
        return new Table1Row(context.Regime, dataset, scheme, shards, method, router, run.Seed, run.Profile, context.Budget, EvaluationRow.Of(report),
            trainSteps, Math.Round(trainSeconds, 1), Math.Round(routerSeconds, 1), Math.Round(samples.Seconds, 1), pipeline.Scale.SamplerSteps,
            (denoiser as ComposedDenoiser)?.Sparsity.ToString() ?? "single model",
            // Shard evaluations per sample-step of the last batch (1 for a single model): what a method costs in models.
            denoiser is ComposedDenoiser c && c.SampleEvaluations > 0 ? Math.Round(c.ShardEvaluations / (double)c.SampleEvaluations, 3) : 1.0);
    }
}
