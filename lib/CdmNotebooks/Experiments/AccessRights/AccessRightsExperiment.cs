using CdmNotebooks.Composition;
using CdmNotebooks.Composition.Registry;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Evaluation;
using CdmNotebooks.Protection;
using CdmNotebooks.Reporting;

namespace CdmNotebooks.Experiments.AccessRights;

/// <summary>E7: users entitled to different shard subsets (a policy file) get compositions of only those shards; FID and conditional accuracy per entitlement, with proofs that unentitled checkpoints are never opened and their weights are exactly 0.</summary>
public sealed class AccessRightsExperiment : Experiment<AccessRightsSettings>
{
    /// <inheritdoc />
    public override string Name => "access-rights";

    /// <inheritdoc />
    public override string Question => "Can users entitled to different data shards each get a model of only their shards, provably without touching the others?";

    /// <inheritdoc />
    protected override AccessRightsSettings DefaultSettings(string profile) => AccessRightsSettings.For(profile);

    /// <inheritdoc />
    protected override void Measure(ExperimentRun run, AccessRightsSettings settings, ExperimentOutput output)
    {
        var pipeline = output.Own(new CdmPipeline(run, AccessRightsSettings.Scale(run.Profile)));
        var split = ShardSplit.Load(settings.Split);
        var root = Path.Combine(Path.GetDirectoryName(run.Models.Root)!, "registries", Name, run.Profile, $"seed-{run.Seed}");
        var store = SplitStore.Create(pipeline, split, root, settings.Routers.Where(RouterKindNames.IsTrained));
        var registry = store.Registry;
        settings.Policy.Save(run.ResultPath("policy.json"));
        var policy = AccessPolicy.Load(run.ResultPath("policy.json"));
        output.File(run.ResultPath("policy.json"));
        output.Check(AccessRightsChecks.RefusalCheck(registry, policy, split));

        var results = output.Rows<AccessRightsRow>("access-rights.csv");
        var weights = output.Rows<AccessWeightRow>("weights.csv");
        var trainSeconds = store.Shards.Trainings.ToDictionary(t => t.ShardName, t => t.Model.TrainSeconds, StringComparer.Ordinal);

        // Phase 1: compose and sample for every user under the spy and the weight audit; phase 2 scores the samples.
        var pending = new List<(string User, RouterKind Kind, IReadOnlySet<string> Entitled, Measurement Measured)>();
        try
        {
            foreach (var kind in settings.Routers)
            {
                foreach (var user in policy.Users.Keys.Order(StringComparer.Ordinal))
                {
                    run.Cancellation.ThrowIfCancellationRequested();
                    if (results.Rows.Of(run).Any(r => r.User == user && r.Router == kind.Name()))
                    {
                        run.Log($"  {user} ({kind.Name()}): already measured");
                        continue;
                    }

                    var entitled = policy.EntitledShards(user);
                    var measured = Measure(run, pipeline, store.Store, policy, user, kind, entitled);
                    pending.Add((user, kind, entitled, measured));
                    run.Log($"  {user} ({kind.Name()}): {measured.ShardNames.Count(entitled.Contains)} entitled shard(s); {measured.UnentitledOpened.Count} unentitled file opens " +
                            $"(entitled checkpoints opened: {measured.EntitledCheckpointsOpened}); {measured.Audit.Violations} non-zero unentitled weights in {measured.Audit.PairsChecked} (sample, step) pairs");
                }
            }

            using var extractor = new FeatureNetworkCache().GetOrTrain(split.Dataset, log: run.Log);
            var evaluator = new SampleEvaluator(extractor);
            var test = pipeline.Test(split.Dataset);
            foreach (var (user, kind, entitled, measured) in pending)
            {
                var samples = measured.Samples;
                var classes = registry.ActiveShards().Where(s => entitled.Contains(s.Name))
                    .SelectMany(s => s.ClassCounts.Select((count, label) => (count, label))).Where(p => p.count > 0).Select(p => (long)p.label).ToHashSet();
                var options = new EvaluationOptions(BootstrapResamples: 50, KidSubsets: 50, Seed: run.Seed);
                var all = evaluator.Evaluate(samples.Images, samples.Method, test, samples.Classes, options);
                var rows = Enumerable.Range(0, samples.Classes.Count).Where(i => classes.Contains(samples.Classes[i])).ToArray();
                var references = Enumerable.Range(0, test.Count).Where(i => classes.Contains(test.Labels[i])).ToArray();
                using var entitledReference = test.Subset(references);
                using var rowIndex = TorchSharp.torch.tensor(rows.Select(i => (long)i).ToArray());
                using var entitledImages = samples.Images.index_select(0, rowIndex);
                var own = evaluator.Evaluate(entitledImages, samples.Method, entitledReference, rows.Select(i => samples.Classes[i]).ToList(), options);
                var perClass = all.ConditionalAccuracy!.PerClassAccuracy;
                var unentitledClasses = perClass.Keys.Where(c => !classes.Contains(c)).ToList();
                var grid = run.ResultPath($"samples-{user}-{kind.Name()}.png");
                ImageGrid.SavePng(samples.Images.narrow(0, 0, Math.Min(20, samples.Images.shape[0])), grid, columns: 10);
                output.Image(grid, $"{user} ({kind.Name()} router): the first 20 samples in two rows; column c requested class c (a request for an unentitled class still gets only entitled shards)");

                var audit = measured.Audit;
                // The weights first: a row in access-rights.csv marks the user as measured, so its weights must already be saved.
                var weightRows = Enumerable.Range(0, audit.Steps).SelectMany(step => measured.ShardNames.Select((shard, i) => new AccessWeightRow(user, kind.Name(), step,
                    audit.Timestep(step), shard, entitled.Contains(shard) ? "yes" : "no", ResultValue.Round(audit.MeanWeight(step, i)), ResultValue.Round(audit.MaxWeight(step, i)))));
                weights.AddRange(weightRows);
                results.Add(new AccessRightsRow(split.Dataset, split.Name, split.ShardCount, user,
                    string.Join(" ", measured.ShardNames.Where(entitled.Contains).Select(n => n[(split.Name.Length + 1)..])), string.Join(" ", classes.Order()),
                    "cdm", kind.Name(), run.Seed, run.Profile, EvaluationRow.Of(own), EvaluationRow.Of(all),
                    unentitledClasses.Count == 0 ? null : ResultValue.Round(unentitledClasses.Average(c => perClass[c])),
                    measured.Opened.Count, measured.EntitledCheckpointsOpened, measured.UnentitledOpened.Count, audit.PairsChecked, audit.Violations,
                    ResultValue.Round(audit.MaxUnentitledWeight), audit.Unnormalized, ResultValue.Round(measured.ShardNames.Where(entitled.Contains).Sum(n => trainSeconds.GetValueOrDefault(n))),
                    Math.Round(samples.Seconds, 1)));
                run.Log($"  {user} ({kind.Name()}): {own.FidLabel} {own.Fid.Value:F2} on classes {string.Join(" ", classes.Order())}, accuracy {own.ConditionalAccuracy?.Accuracy:P1}");
            }

            IO.AtomicFile.WriteAllText(run.ResultPath("feature-space.txt"), extractor.Name + "\n");
            output.File(run.ResultPath("feature-space.txt"));
        }
        finally
        {
            pending.ForEach(p => p.Measured.Samples.Dispose());
        }

        output.Check(AccessRightsChecks.ProofChecks(results.Rows, run));
        output.Check(AccessRightsChecks.QualityCheck(results.Rows, run, settings.Routers));
        foreach (var kind in settings.Routers)
        {
            foreach (var user in policy.Users.Keys.Order(StringComparer.Ordinal))
            {
                // No weights were recorded when the composition never ran (a mutation test's noise model): no chart, and the weight audit fails.
                var chart = WeightChart(weights.Rows, user, kind.Name(), run.Command);
                if (chart.Series.Count > 0)
                {
                    output.Figure(chart, $"weights-{user}-{kind.Name()}");
                }
            }
        }

        output.Table("access-rights", results.ToTable());
        output.RunInfo["split"] = split.Name;
        output.RunInfo["policy"] = run.ResultPath("policy.json");
    }

    /// <summary>Mean weight w_i of every shard over the reverse process for <paramref name="user"/>: unentitled shards stay on the zero line.</summary>
    public static ChartSpec WeightChart(IReadOnlyList<AccessWeightRow> weights, string user, string router, string command)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var series = weights.Where(r => r.User == user && r.Router == router).GroupBy(r => r.Shard).Select(g =>
        {
            var points = g.OrderByDescending(r => r.Timestep).ToList();
            var name = g.Key[(g.Key.LastIndexOf('.') + 1)..] + (points[0].Entitled == "yes" ? "" : " (not entitled)");
            return new ChartSeries(name, points.Select(r => r.Timestep).ToList(), points.Select(r => r.MeanWeight).ToList());
        }).ToList();
        return new ChartSpec($"Mixture weights over the reverse process: {user} ({router} router)", "timestep t (sampling runs from high to low)", "mean weight w_i", series)
        {
            Caption = $"mean over all generated samples per step; unentitled shards' weights are exactly 0 at every step; {command}",
        };
    }

    private static Measurement Measure(ExperimentRun run, CdmPipeline pipeline, ShardStore store, AccessPolicy policy, string user, RouterKind kind, IReadOnlySet<string> entitled)
    {
        var registry = store.Registry;
        var shardDirectories = registry.ActiveShards().ToDictionary(s => s.Name, s => Path.GetDirectoryName(Path.Combine(registry.Root, s.CheckpointFile))!, StringComparer.Ordinal);
        var routerFiles = registry.ActiveRouters().SelectMany(r => r.Parts).ToList();
        var folders = shardDirectories.Values.Concat(routerFiles.Select(p => Path.GetDirectoryName(Path.Combine(registry.Root, p.File))!)).Distinct().ToList();
        using var spy = new FileOpenSpy(folders);
        // Dense with recorded weights: the audit reads every shard's weight at every step.
        using var model = store.Compose(new CompositionRequest { RouterKind = kind, User = user, Policy = policy, Options = new CompositionOptions(RecordWeights: true) });
        // The entitlement comes from the policy, not from the composer's mask: the proof must not trust the code it checks.
        var audit = new WeightAudit(model.ShardNames.Select(entitled.Contains).ToList());
        var denoiser = model.Denoiser;
        var samples = pipeline.Generate($"cdm-{kind.Name()} for {user}", denoiser, run.Seed * 1000 + 700, onStep: _ => audit.Consume(denoiser.Trajectory));
        audit.Consume(denoiser.Trajectory);

        spy.Drain();
        var opened = spy.Opened;
        var unentitledFiles = shardDirectories.Where(p => !entitled.Contains(p.Key)).Select(p => p.Value + Path.DirectorySeparatorChar)
            .Concat(routerFiles.Where(p => p.ShardName is not null && !entitled.Contains(p.ShardName)).Select(p => Path.Combine(registry.Root, p.File)))
            .ToList();
        var unentitledOpened = opened.Where(path => unentitledFiles.Any(f => path == f || path.StartsWith(f, StringComparison.Ordinal))).ToList();
        var checkpoints = registry.ActiveShards().Where(s => entitled.Contains(s.Name)).Select(s => Path.Combine(registry.Root, s.CheckpointFile)).ToList();
        var entitledOpened = checkpoints.Count(c => opened.Contains(c));
        return new Measurement(samples, model.ShardNames, audit, opened, unentitledOpened, entitledOpened == checkpoints.Count ? "all" : $"{entitledOpened} of {checkpoints.Count}");
    }

    private sealed record Measurement(
        GeneratedSamples Samples, IReadOnlyList<string> ShardNames, WeightAudit Audit, IReadOnlyList<string> Opened, IReadOnlyList<string> UnentitledOpened,
        string EntitledCheckpointsOpened);
}
