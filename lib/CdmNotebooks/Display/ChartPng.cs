using System.Collections;
using System.Globalization;
using DynamicObj;
using Plotly.NET;

namespace CdmNotebooks.Display;

/// <summary>Draws the scatter, line and bar traces of a Plotly.NET chart as a PNG with ScottPlot, for front ends that run no JavaScript.</summary>
/// <remarks>Plotly's own image export needs a browser (Plotly.NET.ImageExport is not served), so the fallback re-draws the
/// trace data; chart kinds other than scatter/line/bar get no PNG rather than a wrong one.</remarks>
public static class ChartPng
{
    /// <summary>Returns the PNG, or null when the chart holds a trace kind this renderer does not draw.</summary>
    public static byte[]? TryRender(GenericChart chart, int width = 600, int height = 400)
    {
        ArgumentNullException.ThrowIfNull(chart);
        var plot = new ScottPlot.Plot();
        var categories = new List<string>();
        foreach (var trace in GenericChart.getTraces(chart))
        {
            var type = Read(trace, "type") as string ?? "scatter";
            var name = Read(trace, "name") as string;
            var x = Read(trace, "x") as IEnumerable;
            var y = Read(trace, "y") as IEnumerable;
            if (y is null || (type != "scatter" && type != "bar"))
            {
                return null;
            }

            var ys = y.Cast<object>().Select(ToDouble).ToArray();
            var xs = x is null
                ? Enumerable.Range(0, ys.Length).Select(i => (double)i).ToArray()
                : x.Cast<object>().Select(value => Position(value, categories)).ToArray();
            if (xs.Length != ys.Length)
            {
                return null;
            }

            if (type == "bar")
            {
                var bars = plot.Add.Bars(xs, ys);
                bars.LegendText = name ?? "";
            }
            else
            {
                var mode = Read(trace, "mode") as string ?? "lines+markers";
                var scatter = plot.Add.Scatter(xs, ys);
                scatter.LegendText = name ?? "";
                scatter.LineWidth = mode.Contains("lines", StringComparison.Ordinal) ? 2 : 0;
                scatter.MarkerSize = mode.Contains("markers", StringComparison.Ordinal) ? 5 : 0;
            }
        }

        if (categories.Count > 0)
        {
            plot.Axes.Bottom.SetTicks(Enumerable.Range(0, categories.Count).Select(i => (double)i).ToArray(), categories.ToArray());
        }

        var layout = GenericChart.getLayout(chart);
        plot.Title(TitleText(Read(layout, "title")) ?? "");
        plot.XLabel(TitleText(Read(Read(layout, "xaxis"), "title")) ?? "");
        plot.YLabel(TitleText(Read(Read(layout, "yaxis"), "title")) ?? "");
        if (plot.GetPlottables().Any(p => p.LegendItems.Any(item => !string.IsNullOrEmpty(item.LabelText))))
        {
            plot.ShowLegend();
        }

        return plot.GetImageBytes(width, height, ScottPlot.ImageFormat.Png);
    }

    private static object? Read(object? owner, string key)
    {
        if (owner is not DynamicObj.DynamicObj dynamic)
        {
            return null;
        }

        return dynamic.GetProperties(true).FirstOrDefault(property => property.Key == key).Value;
    }

    private static string? TitleText(object? title) => title as string ?? Read(title, "text") as string;

    private static double ToDouble(object value) => Convert.ToDouble(value, CultureInfo.InvariantCulture);

    private static double Position(object value, List<string> categories)
    {
        if (value is string category)
        {
            var index = categories.IndexOf(category);
            if (index < 0)
            {
                categories.Add(category);
                index = categories.Count - 1;
            }

            return index;
        }

        return ToDouble(value);
    }
}
