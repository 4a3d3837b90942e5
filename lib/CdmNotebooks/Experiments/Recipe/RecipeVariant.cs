using System.Globalization;
using System.Text.Json;
using CdmNotebooks.Diffusion;

namespace CdmNotebooks.Experiments.Recipe;

/// <summary>One change to a training recipe, measured against the recipe it changes: what it is, the configuration fields it changes, and the change.</summary>
/// <param name="Name">What the variant is, named from the baseline it changes (a baseline without min-SNR gets "min-SNR-5", one with it "no min-SNR").</param>
/// <param name="Fields">The <see cref="TrainingConfig"/> properties it changes, and no other.</param>
/// <param name="Change">The baseline's configuration to the variant's.</param>
public sealed record RecipeVariant(string Name, IReadOnlyList<string> Fields, Func<TrainingConfig, TrainingConfig> Change)
{
    /// <summary>The min-SNR gamma Hang et al. (ICCV 2023) recommend.</summary>
    public const double MinSnrGamma = 5;

    /// <summary>The one-change variants of <paramref name="baseline"/>, the configuration a model trains with (after its regime's changes).</summary>
    /// <remarks>
    /// EMA: the trainer caps the decay at (1 + s) / (10 + s), so a run of N steps averages over about its last N / 9 steps whatever a higher
    /// EmaDecay says (0.999 binds only after ~9,000 steps). The variants therefore halve that horizon, drop the EMA, and double the horizon
    /// only where the baseline's cap binds (elsewhere a higher cap trains the baseline's model again).
    /// Batch: doubled with half the steps, halved with twice the steps, warm-up scaled alike, so every variant sees the baseline's samples;
    /// each is left out when its halving is not exact.
    /// Peak learning rate: a fine-tuned baseline gets two lower rates (1/4 and 1/16), because its rate can undo what the base learned faster
    /// than a short run recovers it; a baseline from scratch gets half and double its rate.
    /// </remarks>
    public static IReadOnlyList<RecipeVariant> For(TrainingConfig baseline)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        var variants = new List<RecipeVariant>
        {
            baseline.MinSnrGamma > 0
                ? new("no min-SNR", [nameof(TrainingConfig.MinSnrGamma)], c => c with { MinSnrGamma = 0 })
                : new($"min-SNR-{Number(MinSnrGamma)}", [nameof(TrainingConfig.MinSnrGamma)], c => c with { MinSnrGamma = MinSnrGamma }),
            baseline.LearningRateDecay == "cosine"
                ? new("constant LR", [nameof(TrainingConfig.LearningRateDecay)], c => c with { LearningRateDecay = "constant" })
                : new("cosine LR decay", [nameof(TrainingConfig.LearningRateDecay)], c => c with { LearningRateDecay = "cosine" }),
        };

        var warmupCap = baseline.TrainSteps / (baseline.TrainSteps + 9.0);
        var shorter = Math.Round(1 - 2 * (1 - Math.Min(baseline.EmaDecay, warmupCap)), 2);
        if (shorter > 0)
        {
            variants.Add(Ema(shorter));
        }

        if (baseline.EmaDecay < warmupCap)
        {
            variants.Add(Ema(1 - (1 - baseline.EmaDecay) / 2));
        }

        variants.Add(new("no EMA", [nameof(TrainingConfig.EmaDecay)], c => c with { EmaDecay = 0 }));
        foreach (var factor in baseline.Base is null ? [0.5, 2] : new[] { 0.25, 0.0625 })
        {
            var rate = baseline.LearningRate * factor;
            variants.Add(new($"peak LR {Number(rate)}", [nameof(TrainingConfig.LearningRate)], c => c with { LearningRate = rate }));
        }

        if (baseline.TrainSteps % 2 == 0)
        {
            variants.Add(Batch(baseline, 2));
        }

        if (baseline.BatchSize % 2 == 0)
        {
            variants.Add(Batch(baseline, 0.5));
        }

        return variants;
    }

    /// <summary>The <see cref="TrainingConfig"/> properties whose values differ between <paramref name="a"/> and <paramref name="b"/>, each as "Name a -> b".</summary>
    /// <remarks>Values compare as JSON, so configurations read back from two checkpoints compare by content (their arrays are distinct instances).</remarks>
    public static IReadOnlyList<(string Field, string Change)> Differences(TrainingConfig a, TrainingConfig b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return typeof(TrainingConfig).GetProperties()
            .Select(p => (p.Name, A: JsonSerializer.Serialize(p.GetValue(a), Checkpoint.JsonOptions), B: JsonSerializer.Serialize(p.GetValue(b), Checkpoint.JsonOptions)))
            .Where(p => p.A != p.B)
            .Select(p => (p.Name, $"{p.Name} {p.A.Trim('"')} -> {p.B.Trim('"')}"))
            .ToArray();
    }

    private static RecipeVariant Ema(double decay) =>
        new($"EMA {Number(decay)}", [nameof(TrainingConfig.EmaDecay)], c => c with { EmaDecay = decay });

    private static RecipeVariant Batch(TrainingConfig baseline, double factor) =>
        new($"batch {(int)(baseline.BatchSize * factor)} x {(int)(baseline.TrainSteps / factor)} steps",
            [nameof(TrainingConfig.BatchSize), nameof(TrainingConfig.TrainSteps), nameof(TrainingConfig.WarmupSteps)],
            c => c with
            {
                BatchSize = (int)(c.BatchSize * factor),
                TrainSteps = (int)(c.TrainSteps / factor),
                WarmupSteps = Math.Min((int)(c.TrainSteps / factor), (int)Math.Round(c.WarmupSteps / factor, MidpointRounding.AwayFromZero)),
            });

    private static string Number(double value) => value.ToString("0.########", CultureInfo.InvariantCulture);
}
