using System.Text.Json;
using CdmNotebooks.Composition;
using CdmNotebooks.Composition.Registry;
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
            output.Check(ForgettingChecks.StaleComponentChecks(registry, request, report));
            output.Check(ForgettingChecks.SisaCheck(split, registry, request, requestedIds, report));

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

        output.Check(ForgettingChecks.QualityChecks(scores, split.ClassCounts(0).Length));
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

    private static IReadOnlyList<string> RandomIds(ShardSplit split, int count, int seed)
    {
        var rng = new MathNet.Numerics.Random.MersenneTwister(seed * 7919 + count, threadSafe: false);
        var order = Enumerable.Range(0, split.Ids.Count).ToArray();
        Shuffling.Shuffle(order, rng);
        return order.Take(count).Select(i => split.Ids[i]).ToList();
    }

    // Re-activating a retired version must make the lineage check fail (it proves the check can fail); the forgotten state is then restored.
    // SISA: exactly the shards holding a forgotten ID are retrained; every other shard keeps its original version.
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

    private sealed record RequestOutcome(
        ForgetRequest Request, SplitStore Store, int Forgotten, IReadOnlyList<ShardTraining> Shards, IReadOnlyList<RouterTraining> Routers,
        TrainedModel Paragon, bool LineagePassed);

    private static string SaveJson<T>(string path, T value)
    {
        IO.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(value, new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return path;
    }
}
