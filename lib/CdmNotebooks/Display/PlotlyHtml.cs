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

    private static string LoadScript()
    {
        var assembly = typeof(GenericChart).Assembly;
        var name = assembly.GetManifestResourceNames()
            .SingleOrDefault(n => n.StartsWith("Plotly.NET.plotly-", StringComparison.Ordinal) && n.EndsWith(".min.js", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"{assembly.GetName().Name} {assembly.GetName().Version} ships no plotly-*.min.js resource; charts cannot be rendered offline.");
        using var stream = assembly.GetManifestResourceStream(name)!;
        var plotly = new StreamReader(stream).ReadToEnd();
        // plotly.js is a UMD bundle: under require.js (classic Notebook) it would register an anonymous AMD module
        // instead of window.Plotly, so define/module/exports are shadowed to make it take the browser-global branch.
        return "<script type=\"text/javascript\">if (!window.Plotly) { (function (define, module, exports) {\n"
            + plotly
            + "\n}).call(window); }</script>";
    }
}
