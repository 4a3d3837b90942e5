namespace CdmNotebooks.Evaluation;

/// <summary>
/// One-sided z statistics for accuracies read as binomial counts: the quality gates of every experiment that asks whether a model draws the
/// requested class more often than chance, or than another model. Normal approximations: the gates need a z, not an exact p, and
/// MathNet's binomial CDF would give a p without the effect size a verdict reports.
/// </summary>
public static class BinomialTest
{
    /// <summary>z of 2.33: p &lt; 0.01 one-sided, the threshold of the quality gates that test one model against chance.</summary>
    public const double OneSidedZ01 = 2.33;

    /// <summary>z that the accuracy <paramref name="accuracy"/> of <paramref name="samples"/> draws exceeds <paramref name="chance"/>; NaN for no samples.</summary>
    public static double AboveChance(double accuracy, double samples, double chance) =>
        Pooled([(accuracy, samples, chance)]);

    /// <summary>
    /// z that groups drawn at different chance levels (for example users entitled to different numbers of classes) together exceed chance:
    /// correct counts summed against their summed expectation under chance, over the summed binomial variance; NaN when the variance is 0.
    /// </summary>
    public static double Pooled(IEnumerable<(double Accuracy, double Samples, double Chance)> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        double correct = 0, expected = 0, variance = 0;
        foreach (var (accuracy, samples, chance) in groups)
        {
            if (chance is <= 0 or >= 1)
            {
                throw new ArgumentOutOfRangeException(nameof(groups), $"A chance level must lie strictly between 0 and 1; got {chance}.");
            }

            correct += accuracy * samples;
            expected += chance * samples;
            variance += chance * (1 - chance) * samples;
        }

        return variance > 0 ? (correct - expected) / Math.Sqrt(variance) : double.NaN;
    }

    /// <summary>z that accuracy <paramref name="p1"/> on <paramref name="n1"/> draws exceeds <paramref name="p2"/> on <paramref name="n2"/>, with the pooled standard error; NaN when a count is missing or both accuracies are 0 or 1.</summary>
    public static double TwoProportion(double p1, double n1, double p2, double n2)
    {
        var pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
        var se = Math.Sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
        return se > 0 ? (p1 - p2) / se : double.NaN;
    }

    /// <summary>z that accuracy fell from <paramref name="before"/> to <paramref name="after"/>, each with its own standard error (independent estimates); infinite when both errors are 0 and the accuracies differ.</summary>
    public static double Drop(double before, double beforeSe, double after, double afterSe) =>
        (before - after) / Math.Sqrt(beforeSe * beforeSe + afterSe * afterSe);
}
