using System.Globalization;
using CdmNotebooks.Composition;
using CdmNotebooks.Composition.Registry;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Evaluation;
using CdmNotebooks.Protection;
using CdmNotebooks.Reporting;

namespace CdmNotebooks.Experiments.AccessRights;

/// <summary>E7's sanity checks: refusals before any file opens, the file-open and weight proofs, and the quality gate per router.</summary>
internal static class AccessRightsChecks
{
    internal static SanityCheck RefusalCheck(ShardRegistry registry, AccessPolicy policy, ShardSplit split)
    {
        var outsider = policy.EntitledShards("trouser-licensee").Count == 1 ? "trouser-licensee" : policy.Users.Keys.First();
        var refused = registry.ActiveShards().Select(s => s.Name).First(n => !policy.EntitledShards(outsider).Contains(n));
        bool Throws(CompositionRequest request)
        {
            try
            {
                RegistryComposer.Compose(registry, request, (_, _) => throw new InvalidOperationException("a checkpoint was opened for a refused request"));
                return false;
            }
            catch (UnauthorizedAccessException)
            {
                return true;
            }
        }

        var explicitRefused = Throws(new CompositionRequest { RouterKind = RouterKind.Ito, User = outsider, Policy = policy, Shards = [refused] });
        var unknownRefused = Throws(new CompositionRequest { RouterKind = RouterKind.Ito, User = "not-in-policy", Policy = policy });
        return new SanityCheck("requests for an unentitled shard or by an unknown user are refused before any checkpoint is opened",
            explicitRefused && unknownRefused, $"{outsider} asking for {refused}: {(explicitRefused ? "refused" : "ALLOWED")}; unknown user: {(unknownRefused ? "refused" : "ALLOWED")} ({split.Name})");
    }

    /// <summary>
    /// The quality gate: each user's composition draws their entitled classes, as the feature classifier reads them, more often than a model
    /// that always draws one entitled class would (accuracy 1/k for k entitled classes). Pooled over the users with at least two entitled
    /// classes, per router, as a one-sided binomial z-test at z > 2.33 (p &lt; 0.01): correct counts summed against their summed expectation
    /// under chance. Noise fails it (a classifier reads noise as one or a few fixed classes, at most 1/k of a user's samples).
    /// </summary>
    internal static SanityCheck QualityCheck(IReadOnlyList<AccessRightsRow> results, ExperimentRun run, IReadOnlyList<RouterKind> routers)
    {
        const double Z = BinomialTest.OneSidedZ01;
        var details = new List<string>();
        var passed = true;
        foreach (var kind in routers.Select(RouterKindNames.Name))
        {
            var groups = new List<(double Accuracy, double Samples, double Chance)>();
            var users = new List<string>();
            foreach (var r in results.Of(run).ToList().Where(r => r.Router == kind))
            {
                var classes = r.EntitledClasses.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
                if (classes < 2)
                {
                    continue;
                }

                var n = (double)r.Entitled.Samples;
                var accuracy = r.Entitled.ConditionalAccuracy ?? double.NaN;
                var chance = 1.0 / classes;
                groups.Add((accuracy, n, chance));
                users.Add($"{r.User} {accuracy:P0} of {n:F0} (chance {chance:P0})");
            }

            var z = BinomialTest.Pooled(groups);
            var ok = z > Z;
            passed &= ok;
            details.Add($"{kind}: z = {z:F2} ({string.Join(", ", users)})");
        }

        return new SanityCheck($"quality: every composition draws its user's entitled classes above chance (pooled one-sided binomial z > {Z})", passed, string.Join("; ", details));
    }

    internal static IEnumerable<SanityCheck> ProofChecks(IReadOnlyList<AccessRightsRow> results, ExperimentRun run)
    {
        var rows = results.Of(run).ToList();
        static string Describe(AccessRightsRow r) => $"{r.User}/{r.Router}";
        var neverOpened = rows.All(r => r.UnentitledFilesOpened == 0);
        var controlSeen = rows.All(r => r.EntitledCheckpointsOpened == "all");
        yield return new SanityCheck("no unentitled shard checkpoint or router head was opened (inotify file-open spy), while every entitled checkpoint was seen opening",
            rows.Count > 0 && neverOpened && controlSeen,
            string.Join("; ", rows.Select(r => $"{Describe(r)}: {r.UnentitledFilesOpened} unentitled opens, entitled checkpoints opened: {r.EntitledCheckpointsOpened}")));
        var zero = rows.All(r => r.UnentitledNonzeroPairs == 0 && r.WeightPairsChecked > 0 && r.UnnormalizedPairs == 0);
        yield return new SanityCheck("every unentitled shard's weight w_i is exactly 0 for every sample and step (entitled weights sum to 1)",
            rows.Count > 0 && zero,
            string.Join("; ", rows.Select(r => $"{Describe(r)}: {r.UnentitledNonzeroPairs} non-zero of {r.WeightPairsChecked} pairs, max {r.MaxUnentitledWeight.ToString(CultureInfo.InvariantCulture)}")));
    }
}
