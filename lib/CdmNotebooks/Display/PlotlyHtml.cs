using CdmNotebooks.Reporting;
using Plotly.NET;

namespace CdmNotebooks.Display;

/// <summary>Offline HTML for Plotly.NET charts: plotly.js (shipped inside Plotly.NET) inlined once, then small per-chart fragments.</summary>
public static class PlotlyHtml
{
    private static readonly Lazy<string> s_script = new(LoadScript);

    /// <summary>A script element that defines window.Plotly from the plotly.js bundled in Plotly.NET, unless a page already has it.</summary>
    public static string Script => s_script.Value;

    /// <summary>The div and script that draw <paramref name="chart"/> with an already loaded window.Plotly.</summary>
    public static string Fragment(GenericChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        return GenericChart.toChartHTML(chart);
    }

    // plotly.js is a UMD bundle: under require.js (classic Notebook) it would register an anonymous AMD module
    // instead of window.Plotly, so define/module/exports are shadowed to make it take the browser-global branch.
    private static string LoadScript() =>
        "<script type=\"text/javascript\">if (!window.Plotly) { (function (define, module, exports) {\n"
        + FigureWriter.PlotlyJs
        + "\n}).call(window); }</script>";
}
