using CdmNotebooks.TextToImage;

namespace CdmNotebooks.Experiments.TextToImage;

/// <summary>E6's sanity checks, read from its typed rows.</summary>
public static class TextToImageChecks
{
    /// <summary>The verdict of one run from its rows: TIFA above chance, the answerers' ceiling, text conditioning, weights summing to 1 and the frozen base (the first and third only with <paramref name="quality"/>).</summary>
    public static IReadOnlyList<SanityCheck> Of(ExperimentRun run, IReadOnlyList<TextToImageRow> table, double chance, AnswererAccuracy ceiling,
        IReadOnlyList<string> promptFrozenFingerprints, string baseFingerprint, bool quality)
    {
        var rows = table.Of(run).ToList();
        var generated = rows.Where(r => r.Variant is not ("real" or "chance")).ToArray();
        var belowChance = generated.Where(r => !(r.Tifa > chance)).Select(r => $"{r.Method} {r.Tifa:F4}").ToArray();
        var composed = generated.Where(r => r.MaxWeightSumError is not null).ToArray();
        var worstSum = composed.Length == 0 ? double.NaN : composed.Max(r => r.MaxWeightSumError!.Value);
        var monolithic = new[] { TextToImageExperiment.Monolithic, TextToImageExperiment.MonolithicFineTuned }.Select(m => rows.Single(r => r.Method == m)).ToArray();
        var unchanged = promptFrozenFingerprints.All(f => f == baseFingerprint);
        var checks = new List<SanityCheck>
        {
            new($"every method's TIFA-style score is above chance ({chance:F4}, uniform random answers to the same questions)",
                generated.Length > 0 && belowChance.Length == 0,
                belowChance.Length == 0 ? $"lowest {generated.Min(r => r.Tifa):F4}" : $"at or below chance: {string.Join("; ", belowChance)}"),
            new("the answerers read real scenes: ceiling TIFA on real held-out scenes above chance and above mismatched captions",
                ceiling.TrueCaptions.Score > chance && ceiling.TrueCaptions.Score > ceiling.MismatchedCaptions.Score,
                $"real {ceiling.TrueCaptions.Score:F4}, mismatched {ceiling.MismatchedCaptions.Score:F4}, chance {chance:F4}"),
            new("text conditioning works: each monolithic model's TIFA with its own prompts exceeds its TIFA against mismatched prompts",
                monolithic.All(r => r.Tifa > r.TifaMismatched),
                string.Join("; ", monolithic.Select(r => $"{r.Method}: own {r.Tifa:F4} vs mismatched {r.TifaMismatched:F4}"))),
        };
        if (!quality)
        {
            // Smoke models generate noise: keep only the structural checks (answerers, weights, frozen base).
            checks.RemoveAll(c => c.Name.StartsWith("every method's", StringComparison.Ordinal) || c.Name.StartsWith("text conditioning", StringComparison.Ordinal));
        }

        checks.AddRange(
        [
            new SanityCheck("composed weights sum to 1 at every step for every sample (|sum - 1| <= 1e-4)",
                composed.Length > 0 && worstSum <= 1e-4, $"{composed.Length} composed methods, worst |sum - 1| = {worstSum:E2}"),
            new SanityCheck("prompt tuning left the base weights unchanged (every prompt-tuned shard's weights other than its context = the base's, by parameter fingerprint)",
                promptFrozenFingerprints.Count > 0 && unchanged,
                $"{promptFrozenFingerprints.Count} prompt-tuned shards; base {Short(baseFingerprint)}; shards' frozen parts {string.Join(", ", promptFrozenFingerprints.Select(Short).Distinct())}"),
        ]);
        return checks;
    }

    private static string Short(string fingerprint) => fingerprint[..Math.Min(12, fingerprint.Length)];
}
