namespace CdmNotebooks.Reporting;

/// <summary>A renderer-independent description of a line or bar chart, so each figure is rendered identically as interactive HTML (Plotly) and static PNG (ScottPlot).</summary>
public sealed record ChartSpec(string Title, string XLabel, string YLabel, IReadOnlyList<ChartSeries> Series, ChartKind Kind = ChartKind.Line)
{
    /// <summary>A short caption stored with the figure (profile, seeds, command), shown under the HTML chart.</summary>
    public string? Caption { get; init; }

    /// <summary>Category labels for the x axis of a bar chart (one per x position); null for numeric x.</summary>
    public IReadOnlyList<string>? Categories { get; init; }
}

/// <summary>One named series: x and y values and an optional symmetric error (e.g. a confidence half-width) per point.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, IReadOnlyList<double>? Error = null);

/// <summary>How series are drawn.</summary>
public enum ChartKind
{
    Line,
    Bar,
}
