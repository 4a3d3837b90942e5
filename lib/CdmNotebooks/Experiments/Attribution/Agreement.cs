namespace CdmNotebooks.Experiments.Attribution;

/// <summary>How often two labellings of the same samples agree, how often they would by chance (independent labellings with the same label frequencies), and Cohen's kappa.</summary>
/// <param name="Observed">Fraction of samples with equal labels.</param>
/// <param name="Chance">sum over labels of P(first = l) * P(second = l).</param>
/// <param name="Kappa">(Observed - Chance) / (1 - Chance); NaN when chance agreement is 1 (both labellings constant and equal).</param>
public sealed record Agreement(double Observed, double Chance, double Kappa)
{
    /// <summary>Agreement between <paramref name="first"/> and <paramref name="second"/> (same length, at least one sample).</summary>
    public static Agreement Of(IReadOnlyList<string> first, IReadOnlyList<string> second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Count != second.Count || first.Count == 0)
        {
            throw new ArgumentException($"Agreement needs two labellings of the same samples; got {first.Count} and {second.Count} labels.");
        }

        double n = first.Count;
        var observed = first.Zip(second).Count(p => p.First == p.Second) / n;
        var chance = first.Concat(second).Distinct().Sum(label => first.Count(l => l == label) / n * (second.Count(l => l == label) / n));
        var kappa = chance < 1 ? (observed - chance) / (1 - chance) : double.NaN;
        return new Agreement(observed, chance, kappa);
    }
}
