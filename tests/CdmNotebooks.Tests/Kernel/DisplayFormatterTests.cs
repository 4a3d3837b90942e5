using CdmNotebooks.Display;
using CdmNotebooks.Reporting;
using SkiaSharp;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.Kernel;

public sealed class DisplayFormatterTests
{
    private sealed record Row(string Name, double Loss);

    private sealed class RecordingPublisher : IDisplayPublisher
    {
        public List<(MimeBundle Bundle, string? Id, bool Update)> Published { get; } = new();

        public void Publish(MimeBundle bundle, string? displayId = null, bool update = false) => Published.Add((bundle, displayId, update));
    }

    private static ChartSpec Spec() => new("Loss", "step", "loss", [new ChartSeries("train", [1, 2, 3], [0.9, 0.5, 0.3])]);

    [Fact]
    public void PlotlyJsIsInlinedWithTheFirstChartOnly()
    {
        var formatter = new DisplayFormatter();
        var first = formatter.Format(Spec());
        var second = formatter.Format(Spec());
        Assert.Contains("plotly.js v", first.Data["text/html"]);
        Assert.Contains("Plotly.newPlot", second.Data["text/html"]);
        Assert.DoesNotContain("plotly.js v", second.Data["text/html"]);
        Assert.True(first.Data["text/html"].Length > 1_000_000 && second.Data["text/html"].Length < 100_000);
    }

    [Fact]
    public void ChartsCarryADecodablePngFallback()
    {
        var formatter = new DisplayFormatter();
        var chart = Plotly.NET.CSharp.Chart.Line<int, double, string>(new[] { 1, 2, 3 }, new[] { 1.0, 4.0, 9.0 }, Name: "squares");
        foreach (var bundle in new[] { formatter.Format(Spec()), formatter.Format(chart) })
        {
            using var image = SKBitmap.Decode(Convert.FromBase64String(bundle.Data["image/png"]));
            Assert.True(image.Width > 100 && image.Height > 100);
        }
    }

    [Fact]
    public void ChartKindsThePngRendererDoesNotDrawGetNoPng()
    {
        var pie = Plotly.NET.CSharp.Chart.Pie<double, string, string>(new[] { 1.0, 2.0 }, Labels: new[] { "a", "b" });
        Assert.Null(ChartPng.TryRender(pie));
        var bundle = new DisplayFormatter().Format(pie);
        Assert.False(bundle.Data.ContainsKey("image/png"));
        Assert.Contains("Plotly.newPlot", bundle.Data["text/html"]);
    }

    [Fact]
    public void ImageBatchesRenderAsPngGridsAndSmallTensorsAsNumbers()
    {
        var formatter = new DisplayFormatter();
        using var images = zeros(3, 1, 28, 28);
        var grid = formatter.Format(images);
        using var bitmap = SKBitmap.Decode(Convert.FromBase64String(grid.Data["image/png"]));
        Assert.Equal(ImageGrid.ToPng(images).Length, Convert.FromBase64String(grid.Data["image/png"]).Length);
        Assert.True(bitmap.Width > 3 * 28);
        using var kernel = ones(2, 1, 3, 3);
        var text = formatter.Format(kernel);
        Assert.False(text.Data.ContainsKey("image/png"));
        Assert.StartsWith("tensor [2,1,3,3] Float32", text.Data["text/plain"]);
    }

    [Fact]
    public void RecordsRenderAsAnEscapedHtmlTableWithARowLimit()
    {
        var rows = Enumerable.Range(0, 5).Select(i => new Row($"<shard {i}>", i / 4.0)).ToList();
        var bundle = HtmlTable.From(rows, maxRows: 3);
        var html = bundle.Data["text/html"];
        Assert.Contains("<th>Name</th><th>Loss</th>", html);
        Assert.Contains("<td>&lt;shard 0&gt;</td><td>0</td>", html);
        Assert.DoesNotContain("shard 3", html);
        Assert.Contains("2 more rows not shown (5 in all)", html);
        // A cell result that is a sequence of records is rendered by the same table code.
        Assert.Equal(HtmlTable.From(rows).Data["text/html"], new DisplayFormatter().Format(rows.ToArray()).Data["text/html"]);
    }

    [Fact]
    public void ScalarsAndListsRenderAsInvariantText()
    {
        var formatter = new DisplayFormatter();
        Assert.Equal("[1, 2, 3]", formatter.Format(new[] { 1, 2, 3 }).Data["text/plain"]);
        Assert.Equal("0.25", formatter.Format(0.25).Data["text/plain"]);
        Assert.Equal("null", formatter.Format(null).Data["text/plain"]);
    }

    [Fact]
    public void ProgressBarShowsOnceThenThrottlesUpdatesButAlwaysDrawsCompletion()
    {
        var publisher = new RecordingPublisher();
        var bar = new ProgressBar(publisher, "training", 1000);
        for (var step = 1; step <= 1000; step++)
        {
            bar.Report(step, $"loss {1.0 / step:F3}");
        }

        Assert.False(publisher.Published[0].Update);
        Assert.All(publisher.Published.Skip(1), p => Assert.True(p.Update && p.Id == publisher.Published[0].Id));
        Assert.True(publisher.Published.Count < 50, $"{publisher.Published.Count} redraws for 1000 fast reports");
        Assert.Contains("1000/1000 (100%)", publisher.Published[^1].Bundle.Data["text/plain"]);
        Assert.Contains("<progress value=\"1000\" max=\"1000\"", publisher.Published[^1].Bundle.Data["text/html"]);
    }
}
