using CdmNotebooks.Composition;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Experiments.Table1;
using CdmNotebooks.Reporting;

namespace CdmNotebooks.Experiments.Continual;

/// <summary>E3's sanity checks, read from the typed rows: the composition improves as shards arrive, and each router kind's update cost is what its kind promises.</summary>
internal static class ContinualChecks
{
    /// <summary>
    /// The quality gate (the paper's Fig. 2, read left to right): for every posterior-weight router, FID with all evaluated shards present is
    /// below FID with one shard, beyond both 95 % bootstrap intervals (its upper bound under the one-shard lower bound). On a by-class split
    /// one shard draws only its own classes, so models that learned anything separate clearly; models that draw noise do not.
    /// </summary>
    internal static SanityCheck ImprovementCheck(IReadOnlyList<ContinualRow> table, ShardSplit split, ExperimentRun run, int most)
    {
        EvaluationRow? Fid(int present, RouterKind kind) => ContinualExperiment.Find(table, split, present, kind, run)?.Metrics;

        var details = new List<string>();
        var passed = true;
        foreach (var kind in ContinualExperiment.Routers.Where(k => k != RouterKind.Naive))
        {
            var (one, all) = (Fid(1, kind), Fid(most, kind));
            var ok = one is { } a && all is { } b && b.FidHigh < a.FidLow;
            passed &= ok;
            details.Add(one is { } x && all is { } y
                ? $"{kind.Name()}: {most} shards {y.Fid:F1} [{y.FidLow:F1}, {y.FidHigh:F1}] vs 1 shard {x.Fid:F1} [{x.FidLow:F1}, {x.FidHigh:F1}]{(ok ? "" : " (not separated)")}"
                : $"{kind.Name()}: no FID row at 1 or {most} shards");
        }

        return new SanityCheck($"quality: CDM FID with {most} shards is below FID with 1 shard beyond both 95 % bootstrap intervals (classifier, compartmentalized, ito)",
            passed, string.Join("; ", details));
    }

    /// <summary>Every addition has a cost row per router kind, and each kind touched what it should: naive and Ito nothing, the compartmentalized router exactly the new shard, the classifier every present shard.</summary>
    internal static SanityCheck RouterCostCheck(IReadOnlyList<ContinualCostRow> costs, ShardSplit split, ExperimentRun run, int shards)
    {
        var problems = new List<string>();
        for (var present = 1; present <= shards; present++)
        {
            foreach (var kind in ContinualExperiment.Routers)
            {
                var name = kind.Name();
                if (ContinualExperiment.Find(costs, split, present, kind, run) is not { } row)
                {
                    problems.Add($"no cost row for {name} at {present}");
                    continue;
                }

                var (touched, seconds) = (row.RouterShardsTouched, row.RouterUpdateSeconds);
                var expected = kind switch
                {
                    RouterKind.Classifier => present >= 2 ? present : 0,
                    RouterKind.Compartmentalized => 1,
                    _ => 0,
                };
                if (touched != expected || !double.IsFinite(seconds) || (expected == 0 && seconds != 0))
                {
                    problems.Add($"{name} at {present}: touched {touched} shards (expected {expected}), {seconds} s");
                }
            }
        }

        return new SanityCheck("router update cost recorded per kind (naive/ito: nothing; compartmentalized: one new head; classifier: retrained on all shards)",
            problems.Count == 0, problems.Count == 0 ? $"{shards} additions x {ContinualExperiment.Routers.Count} router kinds recorded" : string.Join("; ", problems));
    }
}
