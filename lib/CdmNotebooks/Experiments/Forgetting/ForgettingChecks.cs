using CdmNotebooks.Composition;
using CdmNotebooks.Composition.Registry;
using CdmNotebooks.Data;
using CdmNotebooks.Evaluation;
using CdmNotebooks.Protection;
using CdmNotebooks.Reporting;

namespace CdmNotebooks.Experiments.Forgetting;

/// <summary>E2's sanity checks: quality before and after forgetting, no stale component left active, and SISA (only the shards holding a forgotten ID were retrained).</summary>
internal static class ForgettingChecks
{
    /// <summary>
    /// The quality gates, one per method (the paragon and the CDM under each evaluated router), over every request: the model draws the
    /// requested class above chance before and after (one-sided binomial z &gt; 2.33, p &lt; 0.01, at chance 1/classes: 17 % of 100 smoke
    /// samples), and forgetting keeps its quality: FID after at most the upper end of before's 95 % interval, and accuracy after not below
    /// before's by more than z = 2.33 standard errors of the difference. Before and after draw from the same noise. A model drawing noise
    /// fails the first part (MutationTests).
    /// </summary>
    internal static IEnumerable<SanityCheck> QualityChecks(
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

    internal static IEnumerable<SanityCheck> StaleComponentChecks(ShardRegistry registry, ForgetRequest request, ProtectionReport report)
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

    internal static SanityCheck StaleCheck(
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

    internal static SanityCheck SisaCheck(ShardSplit split, ShardRegistry registry, ForgetRequest request, IReadOnlyList<string> requestedIds, ProtectionReport report)
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

    /// <summary>What the quality gates read of one evaluation: FID with its interval, and conditional accuracy (NaN when none) over its samples.</summary>
    private readonly record struct Score(double Fid, double FidLow, double FidHigh, double Accuracy, double AccuracySe, int Samples)
    {
        public Score(EvaluationRow metrics)
            : this(metrics.Fid, metrics.FidLow, metrics.FidHigh, metrics.ConditionalAccuracy ?? double.NaN, metrics.ConditionalAccuracySe ?? double.NaN, metrics.Samples)
        {
        }
    }
}
