using CdmNotebooks.Reporting;
using SkiaSharp;

namespace CdmNotebooks.Tests.Reporting;

public sealed class ReportingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cdm-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void AResultTableShowsCsvCellsAsHtmlAndMarkdownAndRefusesABadHeader()
    {
        var table = ResultTable.FromCsv("method,shards,note\ncdm,8,\"has, comma | and <tag>\"\nparagon,1,\n");
        Assert.Equal(["method", "shards", "note"], table.Columns);
        Assert.Equal(2, table.Rows.Count);
        Assert.Equal("has, comma | and <tag>", table.Get(0, "note"));
        Assert.Equal("", table.Get(1, "note"));
        Assert.Contains("| cdm | 8 |", table.ToMarkdown(["method", "shards"]));
        Assert.Contains("has, comma \\| and <tag>", table.ToMarkdown());
        Assert.Contains("&lt;tag&gt;", table.ToHtml());
        Assert.Throws<ArgumentException>(() => table.Get(0, "fdi"));
        Assert.Throws<InvalidDataException>(() => ResultTable.FromCsv(""));
        Assert.Throws<InvalidDataException>(() => ResultTable.FromCsv("a,a\n1,2\n"));
    }

    [Fact]
    public void FigureIsSavedAsOfflineHtmlAndPng()
    {
        var spec = new ChartSpec("FID vs shards", "shards", "FID", new[]
        {
            new ChartSeries("CDM", new double[] { 1, 2, 4, 8 }, new double[] { 10, 11, 12, 13 }, new double[] { 1, 1, 1, 1 }),
            new ChartSeries("naive", new double[] { 1, 2, 4, 8 }, new double[] { 10, 15, 20, 25 }),
        }) { Caption = "profile smoke, seed 1" };
        var (html, png) = FigureWriter.Save(spec, Path.Combine(_dir, "fid"));
        var text = File.ReadAllText(html);
        Assert.Contains("<script src=\"plotly.min.js\"></script>", text);
        Assert.DoesNotContain("cdn.plot.ly", text);
        Assert.Contains("\"naive\"", text);
        Assert.True(new FileInfo(Path.Combine(_dir, FigureWriter.PlotlyJsFileName)).Length > 1_000_000);
        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal(720, bitmap.Width);

        var bars = spec with { Kind = ChartKind.Bar, Categories = new[] { "a", "b", "c", "d", "e", "f", "g", "h", "i" } };
        Assert.NotEmpty(FigureWriter.ToPng(bars));
        Assert.Contains("\"a\"", FigureWriter.ToHtmlFragment(bars with { Series = new[] { new ChartSeries("x", new double[] { 0 }, new double[] { 1 }) } }));
    }
}
