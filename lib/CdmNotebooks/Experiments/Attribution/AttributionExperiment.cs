using System.Globalization;
using CdmNotebooks.Composition;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Reporting;
using static TorchSharp.torch;

namespace CdmNotebooks.Experiments.Attribution;

/// <summary>E4: does the composition weight w_i credit the shard whose data a generated image resembles? Domain split (digits vs fashion) and a uniform split, per router.</summary>
/// <remarks>
/// For each split and router the composed model generates class-balanced samples while recording w_i at every denoiser call.
/// Per sample, credit is the time-averaged weight (credited shard = its argmax) and the final-step weight. On the domain split the
/// union CdmNet judges each image's domain; the check is Cohen's kappa between credited shard's domain and judged domain, i.e.
/// agreement beyond what a router that ignored the image would reach given how often each shard is credited and each domain judged.
/// </remarks>
public sealed class AttributionExperiment : IExperiment
{
    private const int GridColumns = 10;
    private static readonly string[] SummaryColumns =
    [
        "dataset", "split", "scheme", "shards", "router", "seed", "profile", "sampler", "sampler_steps", "samples",
        "credit_match_rate", "final_credit_match_rate", "chance_match_rate", "kappa", "mean_credit_weight",
        "credited_counts", "judged_counts", "router_train_seconds", "train_seconds", "sample_seconds",
    ];

    private static readonly string[] SampleColumns =
    [
        "split", "router", "seed", "profile", "sample", "requested_class", "judged_domain", "judged_domain_probability",
        "credited_shard", "credited_shard_domain", "credit_weight", "final_credited_shard", "final_credit_weight",
        "time_averaged_weights", "final_weights",
    ];

    private static readonly string[] CurveColumns = ["split", "router", "seed", "profile", "step", "timestep", "group", "shard", "mean_weight", "samples"];

    /// <inheritdoc />
    public string Name => "attribution";

    /// <inheritdoc />
    public string Question => "Do the composition weights w_i credit the shard whose data a generated image comes from (domain split), and stay spread on a uniform split?";

    /// <inheritdoc />
    public ExperimentReport Run(ExperimentRun run) => Execute(run).Report;

    /// <summary>Runs E4 with <paramref name="settings"/> (default: those of the run's profile) and returns the report with its charts and grids.</summary>
    public AttributionResult Execute(ExperimentRun run, AttributionSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        var started = DateTimeOffset.UtcNow;
        settings ??= AttributionSettings.For(run.Profile);
        var summaryPath = run.ResultPath("attribution.csv");
        var summary = ResultTable.LoadCsvOrEmpty(summaryPath, SummaryColumns);
        var charts = new List<ChartSpec>();
        var grids = new List<CaptionedImage>();
        var files = new List<string> { summaryPath };
        var checks = new List<SanityCheck>();
        using var pipeline = new CdmPipeline(run, settings.Scale);
        DomainJudge? judge = null;
        try
        {
            foreach (var splitName in new[] { settings.DomainSplit, settings.UniformSplit })
            {
                var split = SplitCatalog.LoadOrCreate(splitName);
                var shardDomains = Enumerable.Range(0, split.ShardCount).Select(s => DomainOf(split.IdsOfShard(s))).ToArray();
                var isDomainSplit = shardDomains.Distinct().Count() == split.ShardCount && !shardDomains.Contains("mixed");
                IReadOnlyList<TrainedModel>? models = null;
                SplitStore? store = null;
                var measured = new List<(RouterKind Router, ResultTable Samples, ResultTable Curves)>();
                foreach (var router in settings.Routers)
                {
                    var key = $"{split.Name}-{router.Name()}";
                    var samplesPath = run.ResultPath($"samples-{key}.csv");
                    var curvesPath = run.ResultPath($"weights-{key}.csv");
                    var gridPath = run.ResultPath($"grid-{key}.png");
                    var done = summary.Contains(("split", split.Name), ("router", router.Name()), ("seed", run.Seed), ("profile", run.Profile))
                               && File.Exists(samplesPath) && File.Exists(curvesPath) && File.Exists(gridPath);
                    ResultTable samples, curves;
                    if (done)
                    {
                        run.Log($"{split.Name} / {router.Name()}: already measured, reusing {Path.GetFileName(samplesPath)}");
                        samples = ResultTable.LoadCsvOrEmpty(samplesPath, SampleColumns);
                        curves = ResultTable.LoadCsvOrEmpty(curvesPath, CurveColumns);
                    }
                    else
                    {
                        models ??= pipeline.TrainShards(split);
                        store ??= SplitStore.Create(pipeline, split,
                            Path.Combine(Path.GetDirectoryName(run.Models.Root)!, "registries", Name, run.Profile, $"seed-{run.Seed}", split.Name),
                            settings.Routers.Where(RouterKindNames.IsTrained));
                        judge ??= DomainJudge.Load(run.Log);
                        var measurement = Measure(run, pipeline, settings, split, shardDomains, isDomainSplit, store, router, judge, gridPath);
                        samples = measurement.Samples;
                        curves = measurement.Curves;
                        samples.SaveCsv(samplesPath);
                        curves.SaveCsv(curvesPath);
                        summary.Add(SummaryRow(run, settings, split, shardDomains, isDomainSplit, router, samples, models, measurement.RouterSeconds, measurement.SampleSeconds));
                        summary.SaveCsv(summaryPath);
                    }

                    files.AddRange([samplesPath, curvesPath, gridPath]);
                    grids.Add(new CaptionedImage(
                        $"{split.Name}, {router.Name()} router: row k = samples credited to shard k " +
                        $"({string.Join(", ", shardDomains.Select((d, s) => $"{s}: {d}"))}); grey cells = fewer than {GridColumns} samples credited",
                        gridPath));
                    charts.Add(CurveChart(run, split, shardDomains, isDomainSplit, router, curves));
                    measured.Add((router, samples, curves));
                    if (isDomainSplit && settings.IsChecked(router))
                    {
                        checks.Add(KappaCheck(settings, split, router, summary, run));
                    }
                }

                charts.Add(CreditHistogram(run, split, measured));
                charts.Add(CreditedCounts(run, split, measured));
            }
        }
        finally
        {
            judge?.Dispose();
        }

        foreach (var chart in charts)
        {
            var (html, png) = FigureWriter.Save(chart, run.ResultPath(FileNameOf(chart)));
            files.AddRange([html, png]);
        }

        run.WriteRunInfo(started, new Dictionary<string, string>
        {
            ["domainSplit"] = settings.DomainSplit,
            ["uniformSplit"] = settings.UniformSplit,
            ["routers"] = string.Join(",", settings.Routers.Select(RouterKindNames.Name)),
            ["samplesPerClass"] = settings.SamplesPerClass.ToString(CultureInfo.InvariantCulture),
            ["minimumKappa"] = settings.MinimumKappa.ToString(CultureInfo.InvariantCulture),
        });
        files.Add(run.ResultPath("run.json"));
        var report = new ExperimentReport(Name, run.Profile, new Dictionary<string, ResultTable> { ["Attribution: credit vs judged domain"] = summary }, files, checks);
        return new AttributionResult(report, charts, grids);
    }

    /// <summary>The source domain of a shard's IDs ("mnist10k", "fashion-mnist"), or "mixed" when they span several.</summary>
    public static string DomainOf(IReadOnlyList<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var domains = ids.Select(id => id[..Math.Max(0, id.IndexOf('/'))]).Distinct().ToArray();
        return domains.Length == 1 ? domains[0] : "mixed";
    }

    private sealed record Measurement(ResultTable Samples, ResultTable Curves, double RouterSeconds, double SampleSeconds);

    private static Measurement Measure(
        ExperimentRun run, CdmPipeline pipeline, AttributionSettings settings, ShardSplit split, string[] shardDomains, bool isDomainSplit,
        SplitStore store, RouterKind router, DomainJudge judge, string gridPath)
    {
        run.Log($"{split.Name} / {router.Name()}: generating {settings.SamplesPerClass * 10} samples with recorded weights");
        var generated = new List<GeneratedSamples>();
        // Dense, so every shard's weight is recorded at every step.
        using var model = store.Compose(router, new CompositionOptions(RecordWeights: true));
        var composed = model.Denoiser;
        try
        {
            var ledger = new CreditLedger(split.ShardCount);
            var sampleSeconds = 0.0;
            // Chunks of at most 10 per class (batch 100): one trajectory per batch, bounded memory at any profile.
            for (int done = 0, chunk = 0; done < settings.SamplesPerClass; chunk++)
            {
                var perClass = Math.Min(10, settings.SamplesPerClass - done);
                var samples = pipeline.Generate($"cdm-{router.Name()}", composed, SampleSeed(run, chunk), perClass, batchSize: perClass * 10);
                generated.Add(samples);
                ledger.Add(composed.Trajectory ?? throw new InvalidOperationException("The composed denoiser recorded no weights."));
                sampleSeconds += samples.Seconds;
                done += perClass;
            }

            using var images = cat(generated.Select(g => g.Images).ToArray(), 0);
            var classes = generated.SelectMany(g => g.Classes).ToArray();
            var judged = judge.DomainProbabilities(images);
            var sampleTable = new ResultTable(SampleColumns);
            var credited = new int[ledger.Count];
            for (var i = 0; i < ledger.Count; i++)
            {
                var credit = ledger.Credit(i);
                var average = credit.TimeAveraged;
                var final = credit.Final;
                var domain = CreditLedger.ArgMax(judged[i]);
                credited[i] = credit.Credited;
                var finalCredited = CreditLedger.ArgMax(final);
                sampleTable.Add(("split", split.Name), ("router", router.Name()), ("seed", run.Seed), ("profile", run.Profile), ("sample", i),
                    ("requested_class", classes[i]), ("judged_domain", DomainJudge.Domains[domain]), ("judged_domain_probability", judged[i][domain]),
                    ("credited_shard", credited[i]), ("credited_shard_domain", shardDomains[credited[i]]), ("credit_weight", average[credited[i]]),
                    ("final_credited_shard", finalCredited), ("final_credit_weight", final[finalCredited]),
                    ("time_averaged_weights", Joined(average)), ("final_weights", Joined(final)));
            }

            var curveTable = new ResultTable(CurveColumns);
            AddCurves(curveTable, run, split, router, ledger, "all", Enumerable.Range(0, ledger.Count).ToArray(), Enumerable.Range(0, split.ShardCount));
            if (isDomainSplit)
            {
                // Fig. 3 per judged domain: the weight of the shard holding that domain, over the samples judged to be of it.
                for (var shard = 0; shard < split.ShardCount; shard++)
                {
                    var domain = shardDomains[shard];
                    var group = Enumerable.Range(0, ledger.Count).Where(i => DomainJudge.Domains[CreditLedger.ArgMax(judged[i])] == domain).ToArray();
                    AddCurves(curveTable, run, split, router, ledger, $"judged {domain}", group, [shard]);
                }
            }

            SaveGrid(images, credited, split.ShardCount, gridPath);
            return new Measurement(sampleTable, curveTable, store.Routers.Trainings.Where(t => t.Kind == router).Sum(t => t.Seconds), sampleSeconds);
        }
        finally
        {
            foreach (var g in generated)
            {
                g.Dispose();
            }
        }
    }

    private static int SampleSeed(ExperimentRun run, int chunk) => run.Seed * 1000 + 400 + chunk;

    private static void AddCurves(ResultTable table, ExperimentRun run, ShardSplit split, RouterKind router, CreditLedger ledger, string group, int[] samples, IEnumerable<int> shards)
    {
        foreach (var shard in shards)
        {
            var curve = ledger.MeanCurve(shard, samples);
            for (var step = 0; step < curve.Length; step++)
            {
                table.Add(("split", split.Name), ("router", router.Name()), ("seed", run.Seed), ("profile", run.Profile), ("step", step),
                    ("timestep", ledger.Timesteps[step]), ("group", group), ("shard", shard), ("mean_weight", curve[step]), ("samples", samples.Length));
            }
        }
    }

    private static void SaveGrid(Tensor images, int[] credited, int shards, string path)
    {
        using var scope = NewDisposeScope();
        // Grey (0 in [-1, 1]) marks an empty cell, so a shard credited with few samples is visible as a short row.
        var grid = zeros(shards * GridColumns, images.shape[1], images.shape[2], images.shape[3]);
        for (var shard = 0; shard < shards; shard++)
        {
            var rows = Enumerable.Range(0, credited.Length).Where(i => credited[i] == shard).Take(GridColumns).ToArray();
            for (var k = 0; k < rows.Length; k++)
            {
                grid[shard * GridColumns + k].copy_(images[rows[k]]);
            }
        }

        ImageGrid.SavePng(grid, path, columns: GridColumns);
    }

    private static (string, object?)[] SummaryRow(
        ExperimentRun run, AttributionSettings settings, ShardSplit split, string[] shardDomains, bool isDomainSplit, RouterKind router,
        ResultTable samples, IReadOnlyList<TrainedModel> models, double routerSeconds, double sampleSeconds)
    {
        var rows = Enumerable.Range(0, samples.Rows.Count).ToArray();
        var creditedDomain = rows.Select(r => samples.Get(r, "credited_shard_domain")).ToArray();
        var finalDomain = rows.Select(r => shardDomains[int.Parse(samples.Get(r, "final_credited_shard"), CultureInfo.InvariantCulture)]).ToArray();
        var judged = rows.Select(r => samples.Get(r, "judged_domain")).ToArray();
        var credited = rows.Select(r => int.Parse(samples.Get(r, "credited_shard"), CultureInfo.InvariantCulture)).ToArray();
        var agreement = isDomainSplit ? Agreement.Of(creditedDomain, judged) : null;
        return
        [
            ("dataset", split.Dataset), ("split", split.Name), ("scheme", split.Scheme.ToString()), ("shards", split.ShardCount),
            ("router", router.Name()), ("seed", run.Seed), ("profile", run.Profile), ("sampler", settings.Scale.Sampler),
            ("sampler_steps", settings.Scale.SamplerSteps), ("samples", rows.Length),
            ("credit_match_rate", agreement?.Observed), ("final_credit_match_rate", isDomainSplit ? Agreement.Of(finalDomain, judged).Observed : null),
            ("chance_match_rate", agreement?.Chance), ("kappa", agreement?.Kappa),
            ("mean_credit_weight", rows.Average(r => double.Parse(samples.Get(r, "credit_weight"), CultureInfo.InvariantCulture))),
            ("credited_counts", string.Join(" ", Enumerable.Range(0, split.ShardCount).Select(s => $"{s}:{credited.Count(c => c == s)}"))),
            ("judged_counts", string.Join(" ", judged.GroupBy(j => j).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}:{g.Count()}"))),
            ("router_train_seconds", routerSeconds), ("train_seconds", models.Sum(m => m.TrainSeconds)), ("sample_seconds", sampleSeconds),
        ];
    }

    private static SanityCheck KappaCheck(AttributionSettings settings, ShardSplit split, RouterKind router, ResultTable summary, ExperimentRun run)
    {
        var row = Enumerable.Range(0, summary.Rows.Count).Last(r =>
            summary.Get(r, "split") == split.Name && summary.Get(r, "router") == router.Name()
            && summary.Get(r, "seed") == run.Seed.ToString(CultureInfo.InvariantCulture) && summary.Get(r, "profile") == run.Profile);
        double Read(string column) => double.Parse(summary.Get(row, column), CultureInfo.InvariantCulture);
        var kappa = Read("kappa");
        return new SanityCheck(
            $"{split.Name}, {router.Name()} router: credited shard matches the judged domain beyond chance (kappa >= {settings.MinimumKappa})",
            kappa >= settings.MinimumKappa,
            $"match {Read("credit_match_rate"):P1} (final step {Read("final_credit_match_rate"):P1}) vs chance {Read("chance_match_rate"):P1}, " +
            $"kappa {kappa:F3}; credited {summary.Get(row, "credited_counts")}, judged {summary.Get(row, "judged_counts")}");
    }

    private static ChartSpec CurveChart(ExperimentRun run, ShardSplit split, string[] shardDomains, bool isDomainSplit, RouterKind router, ResultTable curves)
    {
        var series = Enumerable.Range(0, curves.Rows.Count)
            .GroupBy(r => (Group: curves.Get(r, "group"), Shard: int.Parse(curves.Get(r, "shard"), CultureInfo.InvariantCulture)))
            .Select(g => new ChartSeries(
                $"w{g.Key.Shard} ({shardDomains[g.Key.Shard]})" + (g.Key.Group == "all" ? ", all samples" : $", samples {g.Key.Group}"),
                g.Select(r => double.Parse(curves.Get(r, "timestep"), CultureInfo.InvariantCulture)).ToArray(),
                g.Select(r => double.Parse(curves.Get(r, "mean_weight"), CultureInfo.InvariantCulture)).ToArray()))
            .ToArray();
        return new ChartSpec(
            $"Mean w_i over the reverse process: {split.Name}, {router.Name()} router",
            "timestep t (sampling runs from high t to 0)", "mean weight w_i", series)
        {
            Caption = Caption(run, isDomainSplit ? "judged = domain given by the union CdmNet classifier" : "iid shards"),
        };
    }

    private static ChartSpec CreditHistogram(ExperimentRun run, ShardSplit split, IReadOnlyList<(RouterKind Router, ResultTable Samples, ResultTable Curves)> measured)
    {
        const int Bins = 10;
        var series = measured.Select(m =>
        {
            var counts = new double[Bins];
            for (var r = 0; r < m.Samples.Rows.Count; r++)
            {
                var weight = double.Parse(m.Samples.Get(r, "credit_weight"), CultureInfo.InvariantCulture);
                counts[Math.Min(Bins - 1, (int)(weight * Bins))] += 1.0 / m.Samples.Rows.Count;
            }

            return new ChartSeries(m.Router.Name(), Enumerable.Range(0, Bins).Select(b => (double)b).ToArray(), counts);
        }).ToArray();
        return new ChartSpec(
            $"Per-sample credit: time-averaged weight of the credited shard, {split.Name}", "credit weight", "fraction of samples", series, ChartKind.Bar)
        {
            Categories = Enumerable.Range(0, Bins).Select(b => $"{b / (double)Bins:F1}-{(b + 1) / (double)Bins:F1}").ToArray(),
            Caption = Caption(run, $"1/{split.ShardCount} = no preference; 1 = one shard made the sample"),
        };
    }

    private static ChartSpec CreditedCounts(ExperimentRun run, ShardSplit split, IReadOnlyList<(RouterKind Router, ResultTable Samples, ResultTable Curves)> measured)
    {
        var series = measured.Select(m => new ChartSeries(
            m.Router.Name(),
            Enumerable.Range(0, split.ShardCount).Select(s => (double)s).ToArray(),
            Enumerable.Range(0, split.ShardCount)
                .Select(s => Enumerable.Range(0, m.Samples.Rows.Count).Count(r => m.Samples.Get(r, "credited_shard") == s.ToString(CultureInfo.InvariantCulture)) / (double)m.Samples.Rows.Count)
                .ToArray())).ToArray();
        return new ChartSpec($"Which shard gets the credit: {split.Name}", "shard", "fraction of samples credited", series, ChartKind.Bar)
        {
            Categories = Enumerable.Range(0, split.ShardCount).Select(s => $"shard {s} ({DomainOf(split.IdsOfShard(s))})").ToArray(),
            Caption = Caption(run, "credited shard = argmax of the time-averaged weight"),
        };
    }

    private static string Caption(ExperimentRun run, string note) => $"{note}; profile {run.Profile}, seed {run.Seed}, `{run.Command}`";

    private static string FileNameOf(ChartSpec chart)
    {
        var slug = new string(chart.Title.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray());
        while (slug.Contains("--", StringComparison.Ordinal))
        {
            slug = slug.Replace("--", "-", StringComparison.Ordinal);
        }

        return "fig-" + slug.Trim('-');
    }

    private static string Joined(IEnumerable<double> values) => string.Join(";", values.Select(v => v.ToString("F4", CultureInfo.InvariantCulture)));
}
