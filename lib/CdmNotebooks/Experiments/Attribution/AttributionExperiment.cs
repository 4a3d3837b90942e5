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
public sealed class AttributionExperiment : Experiment<AttributionSettings>
{
    private const int GridColumns = 10;

    /// <inheritdoc />
    public override string Name => "attribution";

    /// <inheritdoc />
    public override string Question => "Do the composition weights w_i credit the shard whose data a generated image comes from (domain split), and stay spread on a uniform split?";

    /// <inheritdoc />
    protected override AttributionSettings DefaultSettings(string profile) => AttributionSettings.For(profile);

    /// <inheritdoc />
    protected override void Measure(ExperimentRun run, AttributionSettings settings, ExperimentOutput output)
    {
        var summary = output.Rows<AttributionRow>("attribution.csv");
        var pipeline = output.Own(new CdmPipeline(run, settings.Scale));
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
                var measured = new List<(RouterKind Router, IReadOnlyList<AttributionSampleRow> Samples)>();
                foreach (var router in settings.Routers)
                {
                    var key = $"{split.Name}-{router.Name()}";
                    var samplesPath = run.ResultPath($"samples-{key}.csv");
                    var curvesPath = run.ResultPath($"weights-{key}.csv");
                    var gridPath = run.ResultPath($"grid-{key}.png");
                    var done = SummaryOf(summary.Rows, split, router, run) is not null && File.Exists(samplesPath) && File.Exists(curvesPath) && File.Exists(gridPath);
                    IReadOnlyList<AttributionSampleRow> samples;
                    IReadOnlyList<AttributionCurveRow> curves;
                    if (done)
                    {
                        run.Log($"{split.Name} / {router.Name()}: already measured, reusing {Path.GetFileName(samplesPath)}");
                        samples = ResultRows<AttributionSampleRow>.Open(samplesPath).Rows;
                        curves = ResultRows<AttributionCurveRow>.Open(curvesPath).Rows;
                    }
                    else
                    {
                        models ??= pipeline.TrainShards(split);
                        store ??= SplitStore.Create(pipeline, split,
                            Path.Combine(Path.GetDirectoryName(run.Models.Root)!, "registries", Name, run.Profile, $"seed-{run.Seed}", split.Name),
                            settings.Routers.Where(RouterKindNames.IsTrained));
                        judge ??= DomainJudge.Load(run.Log);
                        var measurement = MeasureRouter(run, pipeline, settings, split, shardDomains, isDomainSplit, store, router, judge, gridPath);
                        samples = ResultRows<AttributionSampleRow>.Create(samplesPath, measurement.Samples).Rows;
                        curves = ResultRows<AttributionCurveRow>.Create(curvesPath, measurement.Curves).Rows;
                        summary.Add(SummaryRow(run, settings, split, shardDomains, isDomainSplit, router, samples, models, measurement.RouterSeconds, measurement.SampleSeconds));
                    }

                    output.File(samplesPath);
                    output.File(curvesPath);
                    output.Image(gridPath,
                        $"{split.Name}, {router.Name()} router: row k = samples credited to shard k " +
                        $"({string.Join(", ", shardDomains.Select((d, s) => $"{s}: {d}"))}); grey cells = fewer than {GridColumns} samples credited");
                    Figure(output, AttributionCharts.CurveChart(run, split, shardDomains, isDomainSplit, router, curves));
                    measured.Add((router, samples));
                    if (isDomainSplit && settings.IsChecked(router))
                    {
                        output.Check(KappaCheck(settings, split, router, summary.Rows, run));
                    }
                }

                Figure(output, AttributionCharts.CreditHistogram(run, split, measured));
                Figure(output, AttributionCharts.CreditedCounts(run, split, measured));
            }
        }
        finally
        {
            judge?.Dispose();
        }

        output.Table("Attribution: credit vs judged domain", summary.ToTable());
        output.RunInfo["domainSplit"] = settings.DomainSplit;
        output.RunInfo["uniformSplit"] = settings.UniformSplit;
        output.RunInfo["routers"] = string.Join(",", settings.Routers.Select(RouterKindNames.Name));
        output.RunInfo["samplesPerClass"] = settings.SamplesPerClass.ToString(CultureInfo.InvariantCulture);
        output.RunInfo["minimumKappa"] = settings.MinimumKappa.ToString(CultureInfo.InvariantCulture);
    }

    private static void Figure(ExperimentOutput output, ChartSpec chart) => output.Figure(chart, AttributionCharts.FileNameOf(chart));

    /// <summary>The source domain of a shard's IDs ("mnist10k", "fashion-mnist"), or "mixed" when they span several.</summary>
    public static string DomainOf(IReadOnlyList<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var domains = ids.Select(id => id[..Math.Max(0, id.IndexOf('/'))]).Distinct().ToArray();
        return domains.Length == 1 ? domains[0] : "mixed";
    }

    private sealed record Measurement(IReadOnlyList<AttributionSampleRow> Samples, IReadOnlyList<AttributionCurveRow> Curves, double RouterSeconds, double SampleSeconds);

    private static Measurement MeasureRouter(
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
            var sampleTable = new List<AttributionSampleRow>();
            var credited = new int[ledger.Count];
            for (var i = 0; i < ledger.Count; i++)
            {
                var credit = ledger.Credit(i);
                var average = credit.TimeAveraged;
                var final = credit.Final;
                var domain = CreditLedger.ArgMax(judged[i]);
                credited[i] = credit.Credited;
                var finalCredited = CreditLedger.ArgMax(final);
                sampleTable.Add(new AttributionSampleRow(split.Name, router.Name(), run.Seed, run.Profile, i, classes[i], DomainJudge.Domains[domain],
                    ResultValue.Round(judged[i][domain]), credited[i], shardDomains[credited[i]], ResultValue.Round(average[credited[i]]), finalCredited, ResultValue.Round(final[finalCredited]),
                    Joined(average), Joined(final)));
            }

            var curveTable = new List<AttributionCurveRow>();
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

    private static void AddCurves(
        List<AttributionCurveRow> table, ExperimentRun run, ShardSplit split, RouterKind router, CreditLedger ledger, string group, int[] samples, IEnumerable<int> shards)
    {
        foreach (var shard in shards)
        {
            var curve = ledger.MeanCurve(shard, samples);
            for (var step = 0; step < curve.Length; step++)
            {
                table.Add(new AttributionCurveRow(split.Name, router.Name(), run.Seed, run.Profile, step, ledger.Timesteps[step], group, shard, ResultValue.Round(curve[step]), samples.Length));
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

    private static AttributionRow SummaryRow(
        ExperimentRun run, AttributionSettings settings, ShardSplit split, string[] shardDomains, bool isDomainSplit, RouterKind router,
        IReadOnlyList<AttributionSampleRow> samples, IReadOnlyList<TrainedModel> models, double routerSeconds, double sampleSeconds)
    {
        var creditedDomain = samples.Select(r => r.CreditedShardDomain).ToArray();
        var finalDomain = samples.Select(r => shardDomains[r.FinalCreditedShard]).ToArray();
        var judged = samples.Select(r => r.JudgedDomain).ToArray();
        var agreement = isDomainSplit ? Agreement.Of(creditedDomain, judged) : null;
        return new AttributionRow(split.Dataset, split.Name, split.Scheme.ToString(), split.ShardCount, router.Name(), run.Seed, run.Profile, settings.Scale.Sampler,
            settings.Scale.SamplerSteps, samples.Count, ResultValue.Round(agreement?.Observed), ResultValue.Round(isDomainSplit ? Agreement.Of(finalDomain, judged).Observed : null),
            ResultValue.Round(agreement?.Chance), ResultValue.Round(agreement?.Kappa), ResultValue.Round(samples.Average(r => r.CreditWeight)),
            string.Join(" ", Enumerable.Range(0, split.ShardCount).Select(s => $"{s}:{samples.Count(r => r.CreditedShard == s)}")),
            string.Join(" ", judged.GroupBy(j => j).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}:{g.Count()}")),
            ResultValue.Round(routerSeconds), ResultValue.Round(models.Sum(m => m.TrainSeconds)), ResultValue.Round(sampleSeconds));
    }

    private static AttributionRow? SummaryOf(IEnumerable<AttributionRow> summary, ShardSplit split, RouterKind router, ExperimentRun run) =>
        summary.Of(run).LastOrDefault(r => r.Split == split.Name && r.Router == router.Name());

    private static SanityCheck KappaCheck(AttributionSettings settings, ShardSplit split, RouterKind router, IReadOnlyList<AttributionRow> summary, ExperimentRun run)
    {
        var row = SummaryOf(summary, split, router, run)!;
        var kappa = row.Kappa ?? double.NaN;
        return new SanityCheck(
            $"{split.Name}, {router.Name()} router: credited shard matches the judged domain beyond chance (kappa >= {settings.MinimumKappa})",
            kappa >= settings.MinimumKappa,
            $"match {row.CreditMatchRate:P1} (final step {row.FinalCreditMatchRate:P1}) vs chance {row.ChanceMatchRate:P1}, " +
            $"kappa {kappa:F3}; credited {row.CreditedCounts}, judged {row.JudgedCounts}");
    }

    private static string Joined(IEnumerable<double> values) => string.Join(";", values.Select(v => v.ToString("F4", CultureInfo.InvariantCulture)));
}
