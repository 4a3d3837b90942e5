using System.Globalization;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Reporting;

namespace CdmNotebooks.Experiments.Table1;

/// <summary>E1: paragon vs CDM (each router kind) vs the best-provisioned single shard, over datasets, split schemes and shard counts, at compute parity.</summary>
public sealed class Table1Experiment : IExperiment
{
    /// <summary>Columns of table1.csv: one row per (dataset, scheme, shards, method) measured.</summary>
    public static IReadOnlyList<string> Columns { get; } = new[] { "dataset", "scheme", "shards", "method", "router", "seed", "profile" }
        .Concat(MetricColumns.Names)
        .Concat(new[] { "train_steps", "train_seconds", "router_seconds", "sample_seconds", "sampler_steps", "composition" })
        .ToArray();

    /// <summary>Columns of floor.csv: the real-vs-real floor of each metric (a train subset against the test part).</summary>
    public static IReadOnlyList<string> FloorColumns { get; } = new[] { "dataset", "seed", "profile" }.Concat(MetricColumns.Names).ToArray();

    private readonly Table1Settings? _settings;

    /// <summary>Runs the profile's grid, or <paramref name="settings"/> when given (e.g. a smaller grid in a notebook).</summary>
    public Table1Experiment(Table1Settings? settings = null)
    {
        _settings = settings;
    }

    /// <inheritdoc />
    public string Name => "table1";

    /// <inheritdoc />
    public string Question =>
        "At equal training compute, how close does a compartmentalized model (shards composed by each router kind) come to the paragon trained on all data, and how much worse is naive averaging?";

    /// <summary>The settings a run of <paramref name="profile"/> uses.</summary>
    public Table1Settings SettingsFor(string profile) => _settings ?? Table1Settings.For(profile);

    /// <inheritdoc />
    public ExperimentReport Run(ExperimentRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var started = DateTimeOffset.UtcNow;
        var settings = SettingsFor(run.Profile);
        var tablePath = run.ResultPath("table1.csv");
        var floorPath = run.ResultPath("floor.csv");
        var table = ResultTable.LoadCsvOrEmpty(tablePath, Columns);
        var floors = ResultTable.LoadCsvOrEmpty(floorPath, FloorColumns);
        var parity = new List<SanityCheck>();
        using var pipeline = new CdmPipeline(run, settings.Scale);
        var seedText = run.Seed.ToString(CultureInfo.InvariantCulture);

        foreach (var dataset in settings.Datasets)
        {
            if (!floors.Contains(("dataset", dataset), ("seed", run.Seed), ("profile", run.Profile)))
            {
                run.Log($"{dataset}: real-vs-real floor");
                floors.Add(new (string, object?)[] { ("dataset", dataset), ("seed", run.Seed), ("profile", run.Profile) }
                    .Concat(MetricColumns.Of(pipeline.RealFloor(dataset))).ToArray());
                floors.SaveCsv(floorPath);
            }

            var paragon = pipeline.TrainParagon(dataset);
            if (!Measured(table, dataset, "all", 1, "paragon", run))
            {
                using var denoiser = new LoadedShards(new[] { paragon });
                var row = Measure(pipeline, run, dataset, "all", 1, "paragon", "-", denoiser.Denoisers[0], paragon.TrainSteps, paragon.TrainSeconds, 0);
                table.Add(row);
                table.SaveCsv(tablePath);
            }

            foreach (var (scheme, n) in settings.Splits)
            {
                var split = SplitCatalog.LoadOrCreate(ShardSplit.NameFor(dataset, scheme, n, ShardSplit.DefaultSeed));
                var shards = pipeline.TrainShards(split);
                parity.Add(ParityCheck(split, shards, paragon));
                MeasureSplit(pipeline, run, table, tablePath, split, shards);
            }
        }

        var files = WriteFigures(run, settings, table);
        run.WriteRunInfo(started, new Dictionary<string, string> { ["note"] = settings.Note });
        var checks = new List<SanityCheck>();
        checks.AddRange(ByClassChecks(table, settings, seedText, run.Profile));
        checks.Add(new SanityCheck("compute parity: sum of shard train steps equals the paragon's (within rounding) for every split",
            parity.All(c => c.Passed), string.Join("; ", parity.Select(c => c.Detail))));
        return new ExperimentReport(Name, run.Profile,
            new Dictionary<string, ResultTable> { ["Table 1 (FID and KID in CdmNet features)"] = table, ["Real-vs-real floor"] = floors },
            files, checks);
    }

    private static bool Measured(ResultTable table, string dataset, string scheme, int shards, string method, ExperimentRun run) =>
        table.Contains(("dataset", dataset), ("scheme", scheme), ("shards", shards), ("method", method), ("seed", run.Seed), ("profile", run.Profile));

    private static void MeasureSplit(CdmPipeline pipeline, ExperimentRun run, ResultTable table, string tablePath, ShardSplit split, IReadOnlyList<TrainedModel> shards)
    {
        var scheme = split.Scheme.Kind;
        var n = split.ShardCount;
        var missing = RouterNames.All.Where(k => !Measured(table, split.Dataset, scheme, n, "cdm-" + RouterNames.Of(k), run)).ToList();
        var singleMissing = !Measured(table, split.Dataset, scheme, n, "single-shard", run);
        if (missing.Count == 0 && !singleMissing)
        {
            return;
        }

        var steps = shards.Sum(s => s.TrainSteps);
        var seconds = shards.Sum(s => s.TrainSeconds);
        var ids = Enumerable.Range(0, n).Select(s => split.IdsOfShard(s)).ToArray();
        using var loaded = new LoadedShards(shards);
        foreach (var kind in missing)
        {
            run.Log($"{split.Name}: router {RouterNames.Of(kind)}");
            var router = pipeline.BuildRouter(kind, split.Dataset, ids, loaded.Denoisers[0].Schedule);
            var composed = CdmPipeline.Compose(loaded.Denoisers, router);
            table.Add(Measure(pipeline, run, split.Dataset, scheme, n, "cdm-" + RouterNames.Of(kind), RouterNames.Of(kind), composed, steps, seconds, router.TrainSeconds));
            table.SaveCsv(tablePath);
        }

        if (singleMissing)
        {
            // The single shard with the most data: at compute parity it also has the most steps, so it is the best-provisioned one.
            var largest = Enumerable.Range(0, n).OrderByDescending(s => ids[s].Count).ThenBy(s => s).First();
            run.Log($"{split.Name}: single shard {largest}");
            table.Add(Measure(pipeline, run, split.Dataset, scheme, n, "single-shard", $"shard {largest}", loaded.Denoisers[largest],
                shards[largest].TrainSteps, shards[largest].TrainSeconds, 0));
            table.SaveCsv(tablePath);
        }
    }

    private static (string, object?)[] Measure(
        CdmPipeline pipeline, ExperimentRun run, string dataset, string scheme, int shards, string method, string router, IDenoiser denoiser,
        int trainSteps, double trainSeconds, double routerSeconds)
    {
        // Every method samples from the same noise (same seed), so differences come from the models, not the draw.
        using var samples = pipeline.Generate(method, denoiser, run.Seed * 1000 + 500);
        var report = pipeline.Evaluate(samples, dataset);
        ImageGrid.SavePng(samples.Images.narrow(0, 0, Math.Min(20, samples.Images.shape[0])),
            run.ResultPath($"samples-{dataset}-{scheme}-{shards}-{method}.png"), columns: 10);
        run.Log($"  {method}: FID {report.Fid.Value:F2}, conditional accuracy {report.ConditionalAccuracy?.Accuracy:F3}, sampled in {samples.Seconds:F0} s");
        return new (string, object?)[]
            {
                ("dataset", dataset), ("scheme", scheme), ("shards", shards), ("method", method), ("router", router), ("seed", run.Seed),
                ("profile", run.Profile),
            }
            .Concat(MetricColumns.Of(report))
            .Concat(new (string, object?)[]
            {
                ("train_steps", trainSteps), ("train_seconds", Math.Round(trainSeconds, 1)), ("router_seconds", Math.Round(routerSeconds, 1)),
                ("sample_seconds", Math.Round(samples.Seconds, 1)), ("sampler_steps", pipeline.Scale.SamplerSteps),
                ("composition", MetricColumns.Composition(denoiser)),
            })
            .ToArray();
    }

    /// <summary>Compute parity: each shard gets round(f * paragon steps), so the total may differ from the paragon's by at most n/2 steps.</summary>
    private static SanityCheck ParityCheck(ShardSplit split, IReadOnlyList<TrainedModel> shards, TrainedModel paragon)
    {
        var total = shards.Sum(s => s.TrainSteps);
        var tolerance = Math.Ceiling(split.ShardCount / 2.0);
        var passed = Math.Abs(total - paragon.TrainSteps) <= tolerance;
        return new SanityCheck($"parity {split.Name}", passed, $"{split.Name}: {total} shard steps vs {paragon.TrainSteps} paragon steps (tolerance {tolerance})");
    }

    /// <summary>On every by-class split, CDM with the classifier or the Ito router beats naive averaging on conditional accuracy (naive averaging conflates the shards' classes).</summary>
    private static IEnumerable<SanityCheck> ByClassChecks(ResultTable table, Table1Settings settings, string seed, string profile)
    {
        foreach (var dataset in settings.Datasets)
        {
            foreach (var n in settings.Splits.Where(s => s.Scheme == SplitScheme.ByClass).Select(s => s.Shards))
            {
                double Accuracy(string method) => MetricColumns.Rows(table, ("dataset", dataset), ("scheme", "by-class"),
                        ("shards", n.ToString(CultureInfo.InvariantCulture)), ("method", method), ("seed", seed), ("profile", profile))
                    .Select(r => MetricColumns.Number(table, r, "cond_acc")).DefaultIfEmpty(double.NaN).First();
                var naive = Accuracy("cdm-naive");
                var classifier = Accuracy("cdm-classifier");
                var ito = Accuracy("cdm-ito");
                var best = Math.Max(double.IsNaN(classifier) ? double.NegativeInfinity : classifier, double.IsNaN(ito) ? double.NegativeInfinity : ito);
                yield return new SanityCheck($"{dataset} by-class n={n}: CDM (classifier or ito router) beats naive averaging on conditional accuracy",
                    best > naive,
                    string.Create(CultureInfo.InvariantCulture, $"classifier {classifier:F3}, ito {ito:F3}, naive {naive:F3}"));
            }
        }
    }

    private static IReadOnlyList<string> WriteFigures(ExperimentRun run, Table1Settings settings, ResultTable table)
    {
        var caption = $"profile {run.Profile}, seed {run.Seed}, {run.Command}; FID in CdmNet features, error bars half the 95% bootstrap interval";
        foreach (var dataset in settings.Datasets)
        {
            foreach (var scheme in settings.Schemes)
            {
                FigureWriter.Save(Table1Charts.FidVsShards(table, dataset, scheme.Kind, caption), run.ResultPath($"fid-vs-shards-{dataset}-{scheme.Kind}"));
            }

            FigureWriter.Save(Table1Charts.ConditionalAccuracy(table, dataset, caption), run.ResultPath($"conditional-accuracy-{dataset}"));
        }

        return Directory.GetFiles(run.ResultsDirectory)
            .Where(f => f.EndsWith(".csv", StringComparison.Ordinal) || f.EndsWith(".png", StringComparison.Ordinal) || f.EndsWith(".html", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToArray();
    }
}
