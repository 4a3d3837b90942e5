using System.Globalization;

namespace CdmNotebooks.Data;

/// <summary>How samples are dealt to shards: uniform (iid, class-stratified), by-class (disjoint label sets), by-domain (one source dataset per shard) or dirichlet:ALPHA (non-iid label skew).</summary>
public sealed record SplitScheme
{
    private SplitScheme(string kind, double alpha)
    {
        Kind = kind;
        Alpha = alpha;
    }

    /// <summary>"uniform", "by-class", "by-domain" or "dirichlet".</summary>
    public string Kind { get; }

    /// <summary>The Dirichlet concentration (only for <c>dirichlet</c>; smaller = more skewed).</summary>
    public double Alpha { get; }

    public static SplitScheme Uniform { get; } = new("uniform", 0);
    public static SplitScheme ByClass { get; } = new("by-class", 0);
    public static SplitScheme ByDomain { get; } = new("by-domain", 0);

    /// <summary>A Dirichlet label-skew scheme with concentration <paramref name="alpha"/> &gt; 0.</summary>
    public static SplitScheme Dirichlet(double alpha) =>
        alpha > 0 && double.IsFinite(alpha)
            ? new SplitScheme("dirichlet", alpha)
            : throw new ArgumentOutOfRangeException(nameof(alpha), $"Dirichlet alpha must be a positive finite number; got {alpha}.");

    /// <summary>Parses "uniform", "by-class", "by-domain" or "dirichlet:0.5".</summary>
    public static SplitScheme Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.StartsWith("dirichlet:", StringComparison.Ordinal))
        {
            var value = text["dirichlet:".Length..];
            if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var alpha))
            {
                throw new FormatException($"Split scheme '{text}': '{value}' is not a number. Write e.g. dirichlet:0.5.");
            }

            return Dirichlet(alpha);
        }

        return text switch
        {
            "uniform" => Uniform,
            "by-class" => ByClass,
            "by-domain" => ByDomain,
            _ => throw new FormatException($"Unknown split scheme '{text}'. Use uniform, by-class, by-domain or dirichlet:<alpha> (e.g. dirichlet:0.5)."),
        };
    }

    /// <summary>The text form accepted by <see cref="Parse"/>.</summary>
    public override string ToString() => Kind == "dirichlet" ? $"dirichlet:{Alpha.ToString("R", CultureInfo.InvariantCulture)}" : Kind;

    /// <summary>The form used inside split names (no colon): uniform, by-class, by-domain, dirichlet0.5.</summary>
    public string NameToken => Kind == "dirichlet" ? $"dirichlet{Alpha.ToString("R", CultureInfo.InvariantCulture)}" : Kind;
}
