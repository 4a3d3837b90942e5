using CdmNotebooks.Reporting;
using SkiaSharp;

namespace CdmNotebooks.Tests.Reporting;

public sealed class ReportingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cdm-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ResultTableRoundTripsThroughCsvAndFindsMeasuredRows()
    {
        var table = new ResultTable(new[] { "method", "shards", "fid", "note" });
        table.Add(("method", "cdm"), ("shards", 8), ("fid", 12.3456789), ("note", "has, comma \"and quotes\""));
        table.Add(("method", "paragon"), ("shards", 1));
        var path = Path.Combine(_dir, "r.csv");
        table.SaveCsv(path);
        var back = ResultTable.LoadCsvOrEmpty(path, table.Columns);
        Assert.Equal(2, back.Rows.Count);
        Assert.Equal("12.345679", back.Get(0, "fid"));
        Assert.Equal("has, comma \"and quotes\"", back.Get(0, "note"));
        Assert.True(back.Contains(("method", "cdm"), ("shards", 8)));
        Assert.False(back.Contains(("method", "cdm"), ("shards", 4)));
        Assert.Contains("| cdm | 8 |", back.ToMarkdown(new[] { "method", "shards" }));
        Assert.Throws<ArgumentException>(() => table.Add(("fdi", 1.0)));
        Assert.Throws<InvalidDataException>(() => ResultTable.LoadCsvOrEmpty(path, new[] { "other" }));
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
