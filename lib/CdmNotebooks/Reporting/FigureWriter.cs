using System.Net;
using System.Reflection;
using CdmNotebooks.IO;
using Microsoft.FSharp.Core;
using Plotly.NET;
using Plotly.NET.TraceObjects;

namespace CdmNotebooks.Reporting;

/// <summary>Renders a <see cref="ChartSpec"/> as Plotly (interactive HTML, offline) and ScottPlot (PNG), and saves both atomically.</summary>
public static class FigureWriter
{
    /// <summary>The plotly.js bundled inside Plotly.NET (so figures never need a CDN).</summary>
    public static string PlotlyJs => _plotlyJs.Value;

    /// <summary>The file name under which figures reference plotly.js next to them.</summary>
    public const string PlotlyJsFileName = "plotly.min.js";

    private static readonly Lazy<string> _plotlyJs = new(() =>
    {
        var assembly = typeof(GenericChart).Assembly;
        var name = assembly.GetManifestResourceNames().Single(n => n.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>Builds the Plotly chart for <paramref name="spec"/>.</summary>
    public static GenericChart ToPlotly(ChartSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var traces = spec.Series.Select(series =>
        {
            var keys = spec.Categories != null ? series.X.Select(x => spec.Categories[(int)x]).ToArray() : series.X.Select(x => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            GenericChart trace = spec.Kind == ChartKind.Bar
                ? Plotly.NET.CSharp.Chart.Column<double, string, string>(series.Y, Keys: new Plotly.NET.CSharp.Optional<IEnumerable<string>>(keys, true), Name: series.Name)
                : spec.Categories != null
                    ? Plotly.NET.CSharp.Chart.Line<string, double, string>(keys, series.Y, Name: series.Name, ShowMarkers: true)
                    : Plotly.NET.CSharp.Chart.Line<double, double, string>(series.X, series.Y, Name: series.Name, ShowMarkers: true);
            if (series.Error != null)
            {
                // F# optional parameters must all be passed from C#: visible, type, symmetric, array, then nine unset style options.
                var error = Error.init<double, double>(
                    FSharpOption<bool>.Some(true), FSharpOption<StyleParam.ErrorType>.Some(StyleParam.ErrorType.Data), FSharpOption<bool>.Some(true),
                    FSharpOption<IEnumerable<double>>.Some(series.Error), null, null, null, null, null, null, null, null, null, null, null);
                trace = Chart.withYError(error).Invoke(trace);
            }

            return trace;
        }).ToArray();
        var chart = Plotly.NET.CSharp.Chart.Combine(traces);
        chart = Chart.withTitle(spec.Title, FSharpOption<Font>.None).Invoke(chart);
        chart = Plotly.NET.CSharp.GenericChartExtensions.WithXAxisStyle<double, double, string>(chart, TitleText: spec.XLabel);
        return Plotly.NET.CSharp.GenericChartExtensions.WithYAxisStyle<double, double, string>(chart, TitleText: spec.YLabel);
    }

    /// <summary>An HTML fragment (a div and its script) for <paramref name="spec"/>; plotly.js must be loaded once by the page.</summary>
    public static string ToHtmlFragment(ChartSpec spec) =>
        GenericChart.toChartHTML(ToPlotly(spec)) + (spec.Caption is { } c ? $"<p style=\"font:12px sans-serif;color:#555\">{WebUtility.HtmlEncode(c)}</p>" : "");

    /// <summary>Renders the PNG with ScottPlot.</summary>
    public static byte[] ToPng(ChartSpec spec, int width = 720, int height = 440)
    {
        var plot = new ScottPlot.Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var index = 0;
        foreach (var series in spec.Series)
        {
            var color = palette.GetColor(index);
            if (spec.Kind == ChartKind.Bar)
            {
                var width1 = 0.8 / Math.Max(1, spec.Series.Count);
                var bars = series.X.Select((x, i) => new ScottPlot.Bar
                {
                    Position = x - 0.4 + width1 * (index + 0.5),
                    Value = series.Y[i],
                    Size = width1,
                    FillColor = color,
                    Error = series.Error?[i] ?? 0,
                }).ToList();
                var added = plot.Add.Bars(bars);
                added.LegendText = series.Name;
            }
            else
            {
                var scatter = plot.Add.Scatter(series.X.ToArray(), series.Y.ToArray(), color);
                scatter.LegendText = series.Name;
                if (series.Error != null)
                {
                    var bars = plot.Add.ErrorBar(series.X.ToArray(), series.Y.ToArray(), series.Error.ToArray());
                    bars.Color = color;
                }
            }

            index++;
        }

        if (spec.Categories != null)
        {
            plot.Axes.Bottom.SetTicks(Enumerable.Range(0, spec.Categories.Count).Select(i => (double)i).ToArray(), spec.Categories.ToArray());
            if (spec.Categories.Count > 6)
            {
                // Level labels of many categories run into each other (E6's twelve methods): slant them and make room below the axis.
                plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
                plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleLeft;
                plot.Axes.Bottom.MinimumSize = 30 + 6 * spec.Categories.Max(c => c.Length);
            }
        }

        plot.Title(spec.Title);
        plot.XLabel(spec.XLabel);
        plot.YLabel(spec.YLabel);
        // Below the data area: inside it, the legend box hid data (E2's paragon points, E5's (0.5, 0.5) point); at the right it squeezed the plot.
        // One series needs no legend (the axis title names it) and would only narrow the plot.
        if (spec.Series.Count > 1)
        {
            plot.ShowLegend(ScottPlot.Edge.Bottom);
        }
        else
        {
            plot.HideLegend();
        }

        return plot.GetImageBytes(width, height, ScottPlot.ImageFormat.Png);
    }

    /// <summary>Writes <paramref name="basePath"/>.html (interactive, plotly.js beside it as plotly.min.js, works offline) and <paramref name="basePath"/>.png.</summary>
    public static (string Html, string Png) Save(ChartSpec spec, string basePath)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(basePath))!;
        var js = Path.Combine(directory, PlotlyJsFileName);
        if (!File.Exists(js))
        {
            AtomicFile.WriteAllText(js, PlotlyJs);
        }

        var html = $"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{WebUtility.HtmlEncode(spec.Title)}</title>" +
                   $"<script src=\"{PlotlyJsFileName}\"></script></head>\n<body>\n{ToHtmlFragment(spec)}\n</body></html>\n";
        AtomicFile.WriteAllText(basePath + ".html", html);
        AtomicFile.WriteAllBytes(basePath + ".png", ToPng(spec));
        return (basePath + ".html", basePath + ".png");
    }
}
