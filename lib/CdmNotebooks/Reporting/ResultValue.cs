namespace CdmNotebooks.Reporting;

/// <summary>How a measured number is stored in a result row.</summary>
public static class ResultValue
{
    /// <summary><paramref name="value"/> rounded to 6 decimals (more than any interval here resolves, and short in the CSV); NaN and infinities unchanged.</summary>
    public static double Round(double value) => double.IsFinite(value) ? Math.Round(value, 6) : value;

    /// <summary>As <see cref="Round(double)"/>; null stays null (an empty field).</summary>
    public static double? Round(double? value) => value is { } v ? Round(v) : null;
}
