using System.Text.Json;
using CdmNotebooks.Composition.Registry;
using CdmNotebooks.Composition;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Evaluation;
using CdmNotebooks.Protection;
using CdmNotebooks.Reporting;

namespace CdmNotebooks.Experiments.Forgetting;

/// <summary>
/// E2: forgetting k random sample IDs or a whole shard, CDM (SISA-style retraining of affected shards, router updated per kind) versus
/// retraining the paragon; wall time, speedup, FID before/after, a lineage proof and quality gates that fail on models drawing noise.
/// In a fine-tuned regime every retraining re-fine-tunes from the one base, whose cost is pretraining and not part of any request's.
/// </summary>
public sealed class ForgettingExperiment : Experiment<ForgettingSettings>
{
    private const string Actor = "forgetting-experiment";

    /// <inheritdoc />
    public override string Name => "forgetting";

    /// <inheritdoc />
    public override string Question => "How much faster is forgetting training data with a compartmentalized model than retraining a monolithic one, and what does it cost in FID?";

    /// <inheritdoc />
    protected override ForgettingSettings DefaultSettings(string profile) => ForgettingSettings.For(profile);

    /// <inheritdoc />
    protected override void Measure(ExperimentRun run, ForgettingSettings settings, ExperimentOutput output)
    {
        var pipeline = output.Own(new CdmPipeline(run, ForgettingSettings.Scale(run.Profile)));
        var split = ShardSplit.Load(settings.Split);
        var dataset = split.Dataset;
        var evaluations = output.Rows<ForgettingEvaluationRow>("evaluations.csv");
        var regime = settings.Regime;
        var scorer = new Scorer(run, pipeline, split, regime.Name, evaluations, output);
        // Rebuilt from the scores at every run (the scores resume from evaluations.csv), so it never holds a row of another run.
        var summary = new List<ForgettingRow>();
        var registryParent = Path.Combine(Path.GetDirectoryName(run.Models.Root)!, "registries", Name, run.Profile, $"seed-{run.Seed}");

        run.Log($"forgetting ({run.Profile}): {split.Name} ({regime.Name}), requests {string.Join(", ", settings.Requests.Select(r => r.Name))}");
        var paragon = pipeline.TrainParagon(dataset, regime: regime);

        // Phase 1: train, forget and prove (every sanity check), one registry per request; phase 2 samples and scores.
        // The initial registry is kept unmodified for the "before" compositions.
        var initial = SplitStore.Create(pipeline, split, Path.Combine(registryParent, "initial"), settings.TrainedRouters, regime);
        var outcomes = new List<RequestOutcome>();
        foreach (var request in settings.Requests)
        {
            run.Cancellation.ThrowIfCancellationRequested();
            var store = SplitStore.Create(pipeline, split, Path.Combine(registryParent, request.Name), settings.TrainedRouters, regime);
            var (registry, trainer, routers, protection) = (store.Registry, store.Shards, store.Routers, store.Store.Protection);
            var shardMark = trainer.Trainings.Count;
            var routerMark = routers.Trainings.Count;
            var requestedIds = request.Shard is null ? RandomIds(split, request.SampleCount, run.Seed) : [];
            var report = request.Shard is int shard
                ? protection.ForgetShard(Actor, SplitStore.ShardName(split, shard), run.Cancellation)
                : protection.ForgetSamples(Actor, requestedIds, run.Cancellation);
            var forgotten = registry.ReadIndex().ForgottenIds.ToHashSet(StringComparer.Ordinal);
            var shardTrainings = trainer.Trainings.Skip(shardMark).ToList();
            var routerTrainings = routers.Trainings.Skip(routerMark).ToList();
            run.Log($"  {request.Name}: forgot {forgotten.Count} IDs; retrained {shardTrainings.Count} shard(s), {routerTrainings.Count} router part(s)");

            var lineage = LineageCheck.Verify(registry);
            output.File(SaveJson(run.ResultPath($"lineage-{request.Name}.json"), lineage));
            File.Copy(registry.AuditLogPath, run.ResultPath($"audit-{request.Name}.jsonl"), overwrite: true);
            output.File(run.ResultPath($"audit-{request.Name}.jsonl"));
            output.Check(new SanityCheck($"lineage check passes after forgetting {request.Name}", lineage.Passed,
                lineage.Passed
                    ? $"{lineage.CheckedComponents.Count} active components ({string.Join(", ", lineage.CheckedComponents)}) verified against {lineage.ForgottenIds} forgotten IDs"
                    : string.Join(" | ", lineage.Violations)));
            output.Check(StaleComponentChecks(registry, request, report));
            output.Check(SisaCheck(split, registry, request, requestedIds, report));

            var paragonAfter = pipeline.TrainParagon(dataset, forgotten, regime);
            var shardSeconds = shardTrainings.Sum(t => t.Model.TrainSeconds);
            if (request.Shard is not null)
            {
                var cdmSeconds = settings.EvaluatedRouters.Max(k => shardSeconds + routerTrainings.Where(t => t.Kind == k).Sum(t => t.Seconds));
                output.Check(new SanityCheck($"forgetting a whole shard ({request.Name}) is faster than retraining the paragon",
                    cdmSeconds < paragonAfter.TrainSeconds,
                    $"CDM {cdmSeconds:F1} s (slowest router kind) vs paragon {paragonAfter.TrainSeconds:F1} s"));
            }

            outcomes.Add(new RequestOutcome(request, store, forgotten.Count, shardTrainings, routerTrainings, paragonAfter, lineage.Passed));
        }

        var paragonBefore = scorer.Measure("before", "paragon", () => paragon.LoadDenoiser());
        var cdmBefore = settings.EvaluatedRouters.ToDictionary(k => k, k => scorer.Measure("before", "cdm", k, initial));
        var scores = new List<(string Request, string Method, ForgettingEvaluationRow Before, ForgettingEvaluationRow After)>();
        foreach (var outcome in outcomes)
        {
            var request = outcome.Request;
            var paragonAfterScore = scorer.Measure($"after-{request.Name}", "paragon", () => outcome.Paragon.LoadDenoiser());
            scores.Add((request.Name, "paragon", paragonBefore, paragonAfterScore));
            var shardSeconds = outcome.Shards.Sum(t => t.Model.TrainSeconds);
            var shardSteps = outcome.Shards.Sum(t => t.Model.TrainSteps);
            AddRow(summary, run, regime, split, request, outcome.Forgotten, "paragon", "", 1, outcome.Paragon.TrainSteps, 0, 0, outcome.Paragon.TrainSeconds,
                null, null, paragonBefore, paragonAfterScore, lineagePassed: null);
            foreach (var kind in settings.EvaluatedRouters)
            {
                var after = scorer.Measure($"after-{request.Name}", "cdm", kind, outcome.Store);
                scores.Add((request.Name, $"cdm-{kind.Name()}", cdmBefore[kind], after));
                var routerSeconds = outcome.Routers.Where(t => t.Kind == kind).Sum(t => t.Seconds);
                var seconds = shardSeconds + routerSeconds;
                AddRow(summary, run, regime, split, request, outcome.Forgotten, "cdm", kind.Name(), outcome.Shards.Count, shardSteps, shardSeconds, routerSeconds, seconds,
                    seconds > 0 ? outcome.Paragon.TrainSeconds / seconds : null, shardSteps > 0 ? outcome.Paragon.TrainSteps / (double)shardSteps : null,
                    cdmBefore[kind], after, outcome.LineagePassed);
            }
        }

        output.Check(QualityChecks(scores, split.ClassCounts(0).Length));
        var summaryRows = ResultRows<ForgettingRow>.Create(run.ResultPath("forgetting.csv"), summary);
        output.File(summaryRows.Path);
        output.Figure(TimeVsFidChart(summary, run.Command), "forgetting-time-vs-fid");
        output.Table("forgetting", summaryRows.ToTable());
        output.Table("evaluations", evaluations.ToTable());
        output.RunInfo["split"] = split.Name;
        output.RunInfo["featureSpace"] = scorer.FeatureSpace;
    }

    /// <summary>Forgetting wall time (x) against FID after forgetting (y, with its bootstrap interval), one series per method, one point per request.</summary>
    public static ChartSpec TimeVsFidChart(IReadOnlyList<ForgettingRow> summary, string command)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var series = summary.GroupBy(r => r.Method + (r.Router is { Length: > 0 } k ? $" ({k} router)" : "")).Select(g =>
        {
            var points = g.OrderBy(r => r.ForgetSeconds).ToList();
            return new ChartSeries(g.Key, points.Select(r => r.ForgetSeconds).ToList(), points.Select(r => r.FidAfter).ToList(),
                points.Select(r => (r.FidAfterHigh - r.FidAfterLow) / 2).ToList());
        }).ToList();
        var requests = string.Join(", ", summary.Select(r => r.Request).Distinct());
        return new ChartSpec("Forgetting: time to comply vs FID after", "forgetting wall time (s, training only)", "FID (CdmNet features) after forgetting", series)
        {
            Caption = $"one point per request ({requests}); error bars: 95% bootstrap interval; {command}",
        };
    }

    /// <summary>
    /// The quality gates, one per method (the paragon and the CDM under each evaluated router), over every request: the model draws the
    /// requested class above chance before and after (one-sided binomial z &gt; 2.33, p &lt; 0.01, at chance 1/classes: 17 % of 100 smoke
    /// samples), and forgetting keeps its quality: FID after at most the upper end of before's 95 % interval, and accuracy after not below
    /// before's by more than z = 2.33 standard errors of the difference. Before and after draw from the same noise. A model drawing noise
    /// fails the first part (MutationTests).
    /// </summary>
    private static IEnumerable<SanityCheck> QualityChecks(
        IReadOnlyList<(string Request, string Method, ForgettingEvaluationRow Before, ForgettingEvaluationRow After)> scores, int classes)
    {
        const double Z = BinomialTest.OneSidedZ01;
        var chance = 1.0 / classes;
        double AboveChance(Score s) => BinomialTest.AboveChance(s.Accuracy, s.Samples, chance);
        foreach (var method in scores.GroupBy(s => s.Method))
        {
            var failures = new List<string>();
            var details = new List<string>();
            var before = new Score(method.First().Before.Metrics);
            if (!(AboveChance(before) > Z))
            {
                failures.Add($"before: accuracy {before.Accuracy:P0} of {before.Samples} is not above chance {chance:P0} (z = {AboveChance(before):F2})");
            }

            foreach (var (request, _, _, afterRow) in method)
            {
                var after = new Score(afterRow.Metrics);
                var drop = BinomialTest.Drop(before.Accuracy, before.AccuracySe, after.Accuracy, after.AccuracySe);
                if (!(AboveChance(after) > Z))
                {
                    failures.Add($"after {request}: accuracy {after.Accuracy:P0} is not above chance (z = {AboveChance(after):F2})");
                }

                if (!(after.Fid <= before.FidHigh))
                {
                    failures.Add($"after {request}: FID {after.Fid:F1} above before's interval [{before.FidLow:F1}, {before.FidHigh:F1}]");
                }

                if (drop > Z)
                {
                    failures.Add($"after {request}: accuracy fell {before.Accuracy:P0} -> {after.Accuracy:P0} (z = {drop:F2})");
                }

                details.Add($"{request} FID {after.Fid:F1}, accuracy {after.Accuracy:P0}");
            }

            yield return new SanityCheck(
                $"quality: {method.Key} draws the requested class above chance (one-sided binomial z > {Z}) and keeps its FID and accuracy after every request",
                failures.Count == 0,
                failures.Count == 0
                    ? $"before: FID {before.Fid:F1} [{before.FidLow:F1}, {before.FidHigh:F1}], accuracy {before.Accuracy:P0} of {before.Samples} (z = {AboveChance(before):F1}); after: {string.Join("; ", details)}"
                    : string.Join(" | ", failures));
        }
    }

    private static IReadOnlyList<string> RandomIds(ShardSplit split, int count, int seed)
    {
        var rng = new MathNet.Numerics.Random.MersenneTwister(seed * 7919 + count, threadSafe: false);
        var order = Enumerable.Range(0, split.Ids.Count).ToArray();
        Shuffling.Shuffle(order, rng);
        return order.Take(count).Select(i => split.Ids[i]).ToList();
    }

    // Re-activating a retired version must make the lineage check fail (it proves the check can fail); the forgotten state is then restored.
    private static IEnumerable<SanityCheck> StaleComponentChecks(ShardRegistry registry, ForgetRequest request, ProtectionReport report)
    {
        var change = report.Record.Shards.FirstOrDefault(c => c.FromVersion is not null);
        if (change is not null)
        {
            var stale = registry.ShardVersion(change.Shard, change.FromVersion!.Value);
            yield return StaleCheck(registry, $"lineage check fails when a stale shard ({stale.Key}) is re-activated after {request.Name}", stale.Key,
                index => new RegistryChange { Base = index, ActivateShards = [stale] },
                change.ToVersion is int v
                    ? index => new RegistryChange { Base = index, ActivateShards = [registry.ShardVersion(change.Shard, v)] }
                    : index => new RegistryChange { Base = index, RetireShards = [change.Shard] });
        }

        foreach (var router in registry.ActiveRouters().Where(r => r.Version > 1))
        {
            var stale = registry.RouterVersion(router.Name, 1);
            yield return StaleCheck(registry, $"lineage check fails when a stale router ({stale.Key}) is re-activated after {request.Name}", stale.Key,
                index => new RegistryChange { Base = index, ActivateRouters = [stale] }, index => new RegistryChange { Base = index, ActivateRouters = [router] });
        }
    }

    private static SanityCheck StaleCheck(
        ShardRegistry registry, string name, string staleKey, Func<RegistryIndex, RegistryChange> corrupt, Func<RegistryIndex, RegistryChange> restore)
    {
        registry.Commit(corrupt(registry.ReadIndex()));
        LineageReport stale;
        try
        {
            stale = LineageCheck.Verify(registry);
        }
        finally
        {
            registry.Commit(restore(registry.ReadIndex()));
        }

        var restored = LineageCheck.Verify(registry);
        var named = stale.Violations.Any(v => v.Contains(staleKey, StringComparison.Ordinal));
        return new SanityCheck(name, !stale.Passed && named && restored.Passed,
            $"{stale.Violations.Count} violation(s) with the stale component, e.g. {stale.Violations.FirstOrDefault() ?? "(none)"}; after restoring: {(restored.Passed ? "passes" : "fails")}");
    }

    // SISA: exactly the shards holding a forgotten ID are retrained; every other shard keeps its original version.
    private static SanityCheck SisaCheck(ShardSplit split, ShardRegistry registry, ForgetRequest request, IReadOnlyList<string> requestedIds, ProtectionReport report)
    {
        var ids = requestedIds.ToHashSet(StringComparer.Ordinal);
        var affected = Enumerable.Range(0, split.ShardCount).Where(s => request.Shard == s || split.IdsOfShard(s).Any(ids.Contains))
            .Select(s => SplitStore.ShardName(split, s)).ToHashSet(StringComparer.Ordinal);
        var changed = report.Record.Shards.Select(c => c.Shard).ToHashSet(StringComparer.Ordinal);
        var untouched = registry.ActiveShards().Where(s => !affected.Contains(s.Name)).ToList();
        var passed = changed.SetEquals(affected) && untouched.All(s => s.Version == 1) && untouched.Count == split.ShardCount - affected.Count;
        return new SanityCheck($"{request.Name}: only the affected shards changed", passed,
            $"affected (from the split) {affected.Count}: {string.Join(", ", affected.Order())}; changed (audit) {changed.Count}; {untouched.Count} untouched shard(s) still at v1");
    }

    private static void AddRow(
        List<ForgettingRow> table, ExperimentRun run, TrainingRegime regime, ShardSplit split, ForgetRequest request, int forgotten, string method, string router,
        int retrainedModels, int retrainedSteps, double shardSeconds, double routerSeconds, double forgetSeconds, double? speedup, double? stepRatio,
        ForgettingEvaluationRow beforeRow, ForgettingEvaluationRow afterRow, bool? lineagePassed)
    {
        var (before, after) = (beforeRow.Metrics, afterRow.Metrics);
        var increase = (after.Fid - before.Fid) / before.Fid * 100;
        table.Add(new ForgettingRow(regime.Name, split.Dataset, split.Name, split.ShardCount, request.Name, forgotten, method, router, run.Seed, run.Profile,
            retrainedModels, retrainedSteps, ResultValue.Round(shardSeconds), ResultValue.Round(routerSeconds), ResultValue.Round(forgetSeconds), ResultValue.Round(speedup), ResultValue.Round(stepRatio),
            before.Fid, before.FidLow, before.FidHigh, after.Fid, after.FidLow, after.FidHigh, ResultValue.Round(increase), before.ConditionalAccuracy, after.ConditionalAccuracy,
            lineagePassed is null ? "" : lineagePassed.Value ? "yes" : "no",
            method == "paragon" ? "" : speedup is null ? "yes (nothing retrained)" : speedup >= 8 ? "yes" : "no",
            method == "paragon" ? "" : increase <= 1 ? "yes" : "no",
            ResultValue.Round(forgetSeconds), afterRow.SampleSeconds));
    }

    /// <summary>What the quality gates read of one evaluation: FID with its interval, and conditional accuracy (NaN when none) over its samples.</summary>
    private readonly record struct Score(double Fid, double FidLow, double FidHigh, double Accuracy, double AccuracySe, int Samples)
    {
        public Score(EvaluationRow metrics)
            : this(metrics.Fid, metrics.FidLow, metrics.FidHigh, metrics.ConditionalAccuracy ?? double.NaN, metrics.ConditionalAccuracySe ?? double.NaN, metrics.Samples)
        {
        }
    }

    private sealed record RequestOutcome(
        ForgetRequest Request, SplitStore Store, int Forgotten, IReadOnlyList<ShardTraining> Shards, IReadOnlyList<RouterTraining> Routers,
        TrainedModel Paragon, bool LineagePassed);

    private static string SaveJson<T>(string path, T value)
    {
        IO.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(value, new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return path;
    }
}
