using System.Collections;
using System.Globalization;
using CdmNotebooks.Reporting;
using Plotly.NET;
using TorchSharp;
using static TorchSharp.torch;

namespace CdmNotebooks.Display;

/// <summary>Turns cell results and displayed values into MIME bundles: Plotly charts, image tensors, tables and text.</summary>
/// <remarks>One instance serves one notebook document, because plotly.js is inlined only with the first chart it renders.</remarks>
public sealed class DisplayFormatter
{
    private const int MaxImagesInGrid = 64;
    private const int MaxListItems = 100;
    private const int MaxTensorElementsPrinted = 200;
    private bool _plotlyScriptSent;

    /// <summary>Renders <paramref name="value"/> with the richest representation known for its type.</summary>
    public MimeBundle Format(object? value) => value switch
    {
        null => MimeBundle.Text("null"),
        MimeBundle bundle => bundle,
        GenericChart chart => FormatChart(PlotlyHtml.Fragment(chart), ChartPng.TryRender(chart), "Plotly chart"),
        ChartSpec spec => FormatChart(FigureWriter.ToHtmlFragment(spec), FigureWriter.ToPng(spec), $"chart: {spec.Title}"),
        ResultTable table => MimeBundle.Html(table.ToHtml(), table.ToMarkdown()),
        ScottPlot.Plot plot => MimeBundle.Png(plot.GetImageBytes(600, 400, ScottPlot.ImageFormat.Png), "ScottPlot chart"),
        Tensor tensor => FormatTensor(tensor),
        string text => MimeBundle.Text(text),
        IEnumerable sequence when ElementType(sequence.GetType()) is { } rowType && HtmlTable.IsRowType(rowType) =>
            HtmlTable.From(sequence, rowType),
        IEnumerable sequence => MimeBundle.Text(FormatList(sequence)),
        _ => MimeBundle.Text(FormatScalar(value)),
    };

    private MimeBundle FormatChart(string html, byte[]? png, string plain)
    {
        if (!_plotlyScriptSent)
        {
            html = PlotlyHtml.Script + "\n" + html;
            _plotlyScriptSent = true;
        }

        var data = new Dictionary<string, string> { ["text/plain"] = plain, ["text/html"] = html };
        if (png is not null)
        {
            data["image/png"] = Convert.ToBase64String(png);
        }

        return new MimeBundle(data);
    }

    private static MimeBundle FormatTensor(Tensor tensor)
    {
        var shape = "[" + string.Join(",", tensor.shape) + "]";
        if (IsImageBatch(tensor))
        {
            var shown = Math.Min(tensor.shape[0], MaxImagesInGrid);
            using var scope = NewDisposeScope();
            var png = ImageGrid.ToPng(tensor.narrow(0, 0, shown));
            var note = shown < tensor.shape[0] ? $", first {shown} shown" : "";
            return MimeBundle.Png(png, $"image tensor {shape} {tensor.dtype}{note}");
        }

        if (tensor.numel() <= MaxTensorElementsPrinted)
        {
            return MimeBundle.Text($"tensor {shape} {tensor.dtype}\n{tensor.ToString(TorchSharp.TensorStringStyle.Numpy)}");
        }

        if (!tensor.is_floating_point())
        {
            return MimeBundle.Text($"tensor {shape} {tensor.dtype} on {tensor.device}");
        }

        using (NewDisposeScope())
        {
            var values = tensor.detach().to(ScalarType.Float64);
            string Stat(Tensor t) => t.item<double>().ToString("G5", CultureInfo.InvariantCulture);
            return MimeBundle.Text($"tensor {shape} {tensor.dtype} on {tensor.device}: "
                + $"min {Stat(values.min())}, max {Stat(values.max())}, mean {Stat(values.mean())}");
        }
    }

    // A float batch [N,C,H,W] with 1 or 3 channels and images at least 8 pixels wide is shown as pictures;
    // smaller 4-d tensors (e.g. convolution kernels) are numbers and print as such.
    private static bool IsImageBatch(Tensor tensor) =>
        tensor.dim() == 4 && (tensor.shape[1] == 1 || tensor.shape[1] == 3)
        && tensor.shape[2] >= 8 && tensor.shape[3] >= 8 && tensor.shape[0] > 0 && tensor.is_floating_point();

    private static Type? ElementType(Type sequenceType) =>
        sequenceType.IsArray
            ? sequenceType.GetElementType()
            : sequenceType.GetInterfaces().Append(sequenceType)
                .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>))
                .Select(i => i.GetGenericArguments()[0])
                .FirstOrDefault();

    private static string FormatList(IEnumerable sequence)
    {
        var items = new List<string>();
        var count = 0;
        foreach (var item in sequence)
        {
            if (count++ < MaxListItems)
            {
                items.Add(item is null ? "null" : FormatScalar(item));
            }
        }

        var more = count > MaxListItems ? $", ... ({count} items)" : "";
        return "[" + string.Join(", ", items) + more + "]";
    }

    private static string FormatScalar(object value) => value switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? value.GetType().FullName ?? "object",
    };
}
