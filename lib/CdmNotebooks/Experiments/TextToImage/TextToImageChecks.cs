using CdmNotebooks.TextToImage;

namespace CdmNotebooks.Experiments.TextToImage;

/// <summary>E6's sanity checks, read from its typed rows.</summary>
public static class TextToImageChecks
{
    /// <summary>
    /// The verdict of one run from its rows. Quality is gated on the paper's comparison, the fine-tuned monolithic model and every fine-tuned CDM:
    /// their images follow their own prompts better than mismatched ones (a paired bootstrap bound, in every profile), and with
    /// <paramref name="aboveChance"/> they also score above chance. Models from scratch are reported, not gated: step-starved shards are a finding.
    /// The answerers' ceiling, weights summing to 1 and the frozen base are structural.
    /// </summary>
    public static IReadOnlyList<SanityCheck> Of(ExperimentRun run, IReadOnlyList<TextToImageRow> table, double chance, AnswererAccuracy ceiling,
        IReadOnlyList<string> promptFrozenFingerprints, string baseFingerprint, bool aboveChance)
    {
        var rows = table.Of(run).ToList();
        var generated = rows.Where(r => r.Variant is not ("real" or "chance")).ToArray();
        var gated = generated.Where(r => r.Variant == "monolithic-ft" || (r.Variant == "fine-tuned" && r.Router != "-")).ToArray();
        var composed = generated.Where(r => r.MaxWeightSumError is not null).ToArray();
        var worstSum = composed.Length == 0 ? double.NaN : composed.Max(r => r.MaxWeightSumError!.Value);
        var unchanged = promptFrozenFingerprints.All(f => f == baseFingerprint);
        var unaligned = gated.Where(r => !(r.TifaGainLow > 0)).ToArray();
        var checks = new List<SanityCheck>
        {
            new("quality: text conditioning works: the fine-tuned monolithic model and every fine-tuned CDM score higher with their own prompts than with mismatched ones (paired 95 % bootstrap interval of the per-prompt gain above 0)",
                gated.Length >= 2 && unaligned.Length == 0,
                string.Join("; ", gated.Select(r => $"{r.Method}: own {r.Tifa:F4} vs mismatched {r.TifaMismatched:F4}, gain >= {r.TifaGainLow:F4}")) + $" ({gated.FirstOrDefault()?.Prompts} prompts)"),
            new("the answerers read real scenes: ceiling TIFA on real held-out scenes above chance and above mismatched captions",
                ceiling.TrueCaptions.Score > chance && ceiling.TrueCaptions.Score > ceiling.MismatchedCaptions.Score,
                $"real {ceiling.TrueCaptions.Score:F4}, mismatched {ceiling.MismatchedCaptions.Score:F4}, chance {chance:F4}"),
        };
        if (aboveChance)
        {
            var below = gated.Where(r => !(r.TifaCiLow > chance)).ToArray();
            checks.Insert(1, new SanityCheck($"quality: the fine-tuned monolithic model and every fine-tuned CDM score above chance ({chance:F4}, uniform random answers to the same questions; the lower end of the 95 % interval)",
                gated.Length >= 2 && below.Length == 0,
                below.Length == 0 ? string.Join("; ", gated.Select(r => $"{r.Method} {r.Tifa:F4} [{r.TifaCiLow:F4}, {r.TifaCiHigh:F4}]")) : $"not above chance: {string.Join("; ", below.Select(r => $"{r.Method} {r.Tifa:F4} [{r.TifaCiLow:F4}, {r.TifaCiHigh:F4}]"))}"));
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
