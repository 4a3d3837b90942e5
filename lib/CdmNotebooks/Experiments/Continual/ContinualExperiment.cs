using System.Security.Cryptography;
using System.Text;
using CdmNotebooks.Composition;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Experiments.Table1;
using CdmNotebooks.Reporting;

namespace CdmNotebooks.Experiments.Continual;

/// <summary>E3: shards arrive one at a time; after each addition, FID of CDM under each router kind, and what the addition cost (new shard training plus router update).</summary>
public sealed class ContinualExperiment : Experiment<ContinualSettings>
{
    /// <summary>The router kinds composed after each addition, in table order: every kind but random pick (Table 1's one-model baseline).</summary>
    public static IReadOnlyList<RouterKind> Routers { get; } = RouterKindNames.All.Where(k => k != RouterKind.RandomPick).ToArray();

    /// <summary>Runs the profile's settings, or <paramref name="settings"/> when given.</summary>
    public ContinualExperiment(ContinualSettings? settings = null)
        : base(settings)
    {
    }

    /// <inheritdoc />
    public override string Name => "continual";

    /// <inheritdoc />
    public override string Question =>
        "As shards arrive one at a time, does a compartmentalized model improve with each addition while naive averaging does not, and what does each addition cost (new shard plus router update) for each router kind?";

    /// <inheritdoc />
    protected override ContinualSettings DefaultSettings(string profile) => ContinualSettings.For(profile);

    /// <inheritdoc />
    protected override void Measure(ExperimentRun run, ContinualSettings settings, ExperimentOutput output)
    {
        var table = output.Rows<ContinualRow>("continual.csv");
        var costs = output.Rows<ContinualCostRow>("costs.csv");
        var split = SplitCatalog.LoadOrCreate(ShardSplit.NameFor(settings.Dataset, settings.Scheme, settings.Shards, ShardSplit.DefaultSeed));
        var pipeline = output.Own(new CdmPipeline(run, settings.Scale));
        var scheme = split.Scheme.Kind;
        var fingerprints = new List<string>();
        var isolation = new List<string>();
        var isolated = true;
        // Shards arrive through the shard store, as `cdm shard add` adds them: DataProtection.AddShard trains (or reuses) the new shard
        // and updates every active router per its kind.
        var store = SplitStore.Create(pipeline, split,
            Path.Combine(Path.GetDirectoryName(run.Models.Root)!, "registries", Name, run.Profile, $"seed-{run.Seed}", split.Name), shards: 0);

        for (var present = 1; present <= settings.Shards; present++)
        {
            var newShard = present - 1;
            run.Log($"{split.Name}: shard {newShard} arrives ({present} present)");
            var routerMark = store.Routers.Trainings.Count;
            var report = store.AddShard(newShard);
            var model = store.Shards.Trainings[^1].Model;
            fingerprints.Add(Fingerprint(model));
            // A trained router exists once it has something to weigh: compartmentalized heads from the first shard, a classifier from the second.
            foreach (var kind in Routers.Where(k => k.IsTrained() && store.Registry.ActiveRouters().All(r => r.Kind != k)))
            {
                if (present >= (kind == RouterKind.Classifier ? 2 : 1))
                {
                    store.Store.AddRouter(SplitStore.Actor, SplitStore.RouterName(split, kind), kind, run.Cancellation);
                }
            }

            var trainings = store.Routers.Trainings.Skip(routerMark).ToList();
            foreach (var kind in Routers)
            {
                if (Find(costs.Rows, split, present, kind, run) is not null)
                {
                    continue;
                }

                var (touched, seconds, what) = RouterUpdate(kind, trainings.Where(t => t.Kind == kind).ToList(), present);
                costs.Add(new ContinualCostRow(split.Dataset, scheme, present, newShard, kind.Name(), run.Seed, run.Profile, model.TrainSteps,
                    Math.Round(model.TrainSeconds, 1), model.FromCache, Math.Round(seconds, 2), what, touched));
            }

            run.Log($"  added in {report.Record.Seconds:F1} s: {string.Join("; ", report.Timings.Select(t => $"{t.Component} {t.Action}"))}");

            // Adding shard k must leave every earlier shard's model untouched: same cache entry, same bytes, same training data.
            var (ok, detail) = CheckEarlierShards(pipeline, split, present, fingerprints);
            isolated &= ok;
            isolation.Add(detail);

            if (settings.EvaluateAt.Contains(present))
            {
                Evaluate(pipeline, run, table, split, store, present);
            }
        }

        var caption = $"profile {run.Profile}, seed {run.Seed}, split {split.Name}, {run.Command}";
        output.Figure(ContinualCharts.FidVsShardsPresent(table.Rows, caption), "fid-vs-shards-present");
        output.Figure(ContinualCharts.RouterUpdateCost(costs.Rows, caption), "router-update-cost");
        foreach (var kind in Routers)
        {
            var grid = run.ResultPath(SampleGridName(split, kind));
            if (File.Exists(grid))
            {
                output.Image(grid, $"all {split.ShardCount} shards, {kind.Name()} router: the first 20 samples in two rows; column c requested class c");
            }
        }

        output.Check(new SanityCheck("adding a shard never retrains earlier shards (cached model files and data identities unchanged)", isolated,
            string.Join("; ", isolation)));
        output.Check(ContinualChecks.RouterCostCheck(costs.Rows, split, run, settings.Shards));
        output.Check(ContinualChecks.ImprovementCheck(table.Rows, split, run, settings.EvaluateAt.Max()));
        output.Table("FID (CdmNet features) as shards arrive", table.ToTable());
        output.Table("Cost of each addition", costs.ToTable());
        output.RunInfo["note"] = settings.Note;
        output.RunInfo["split"] = split.Name;
    }

    private static string SampleGridName(ShardSplit split, RouterKind kind) => $"samples-{split.Name}-{split.ShardCount}-{kind.Name()}.png";

    /// <summary>The row of (<paramref name="present"/>, <paramref name="kind"/>) of this run's split, or null.</summary>
    internal static TRow? Find<TRow>(IEnumerable<TRow> rows, ShardSplit split, int present, RouterKind kind, ExperimentRun run)
        where TRow : class, IContinualKey =>
        rows.Of(run).FirstOrDefault(r => r.Dataset == split.Dataset && r.Scheme == split.Scheme.Kind && r.ShardsPresent == present && r.Router == kind.Name());

    /// <summary>What the store's update cost a router kind when a shard arrived: naive and Ito recount priors only; the classifier retrains over all present shards; the compartmentalized router trains one head for the new shard.</summary>
    private static (int ShardsTouched, double Seconds, string What) RouterUpdate(RouterKind kind, IReadOnlyList<Protection.RouterTraining> trainings, int present) => kind switch
    {
        RouterKind.Naive or RouterKind.Ito => (0, 0, "nothing trained (priors recounted)"),
        // One shard needs no router (its weight is 1); the classifier first exists when a second shard arrives.
        RouterKind.Classifier when present < 2 => (0, 0, "nothing trained (one shard: weight 1)"),
        RouterKind.Classifier => (trainings.Sum(t => t.DataSets), trainings.Sum(t => t.Seconds), $"classifier retrained on all {present} shards"),
        RouterKind.Compartmentalized => (trainings.Count, trainings.Sum(t => t.Seconds), $"{trainings.Count} new head (shard {present - 1} vs the public reference set)"),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown router kind."),
    };

    private static (bool Passed, string Detail) CheckEarlierShards(CdmPipeline pipeline, ShardSplit split, int present, IReadOnlyList<string> fingerprints)
    {
        var problems = new List<string>();
        for (var s = 0; s < present; s++)
        {
            var again = pipeline.TrainShard(split, s);
            var header = Checkpoint.ReadHeader(again.CheckpointPath);
            if (s < present - 1 && !again.FromCache)
            {
                problems.Add($"shard {s} was retrained");
            }

            if (Fingerprint(again) != fingerprints[s])
            {
                problems.Add($"shard {s}'s model files changed");
            }

            if (header.Data.Identity != split.DataIdentity(s))
            {
                problems.Add($"shard {s}'s checkpoint was trained on data {header.Data.Identity[..12]}, not its shard's {split.DataIdentity(s)[..12]}");
            }
        }

        return (problems.Count == 0, $"after shard {present - 1}: " + (problems.Count == 0 ? $"{present - 1} earlier models unchanged" : string.Join(", ", problems)));
    }

    /// <summary>sha256 over the names and bytes of every file in the model's cache folder (checkpoints and trained.json).</summary>
    private static string Fingerprint(TrainedModel model)
    {
        var folder = Path.GetDirectoryName(model.CheckpointPath)!;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
        {
            hash.AppendData(Encoding.UTF8.GetBytes(Path.GetFileName(file) + "\n"));
            hash.AppendData(File.ReadAllBytes(file));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void Evaluate(CdmPipeline pipeline, ExperimentRun run, ResultRows<ContinualRow> table, ShardSplit split, SplitStore store, int present)
    {
        GeneratedSamples? single = null;
        try
        {
            foreach (var kind in Routers)
            {
                if (Find(table.Rows, split, present, kind, run) is not null)
                {
                    continue;
                }

                // With one shard every router gives it weight 1 (and no classifier exists yet): sample it once and record that for every router.
                using var composed = present == 1 && single is not null ? null : store.Compose(present == 1 ? RouterKind.Naive : kind);
                var samples = present == 1
                    ? single ??= pipeline.Generate("shard 0", composed!.Denoiser, run.Seed * 1000 + 500)
                    : pipeline.Generate("cdm-" + kind.Name(), composed!.Denoiser, run.Seed * 1000 + 500);
                try
                {
                    var report = pipeline.Evaluate(samples, split.Dataset);
                    run.Log($"  {present} shards, {kind.Name()}: FID {report.Fid.Value:F2}");
                    table.Add(new ContinualRow(split.Dataset, split.Scheme.Kind, present, "cdm-" + kind.Name(), kind.Name(), run.Seed, run.Profile,
                        EvaluationRow.Of(report), Math.Round(samples.Seconds, 1), pipeline.Scale.SamplerSteps,
                        present == 1 ? "single model" : (composed!.Denoiser as ComposedDenoiser)?.Sparsity.ToString() ?? "single model"));
                    if (present == split.ShardCount)
                    {
                        ImageGrid.SavePng(samples.Images.narrow(0, 0, Math.Min(20, samples.Images.shape[0])), run.ResultPath(SampleGridName(split, kind)), columns: 10);
                    }
                }
                finally
                {
                    if (!ReferenceEquals(samples, single))
                    {
                        samples.Dispose();
                    }
                }
            }
        }
        finally
        {
            single?.Dispose();
        }
    }
}
