using CdmNotebooks.Reporting;
using SkiaSharp;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests;

public sealed class ImageGridTests
{
    [Fact]
    public void GridHasExpectedSizeAndPixelValues()
    {
        using var images = full(new long[] { 3, 1, 4, 5 }, -1.0f);
        images[1].fill_(1.0f);
        var png = ImageGrid.ToPng(images, columns: 2, scale: 1, padding: 1);
        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal(2 * (5 + 1) + 1, bitmap.Width);
        Assert.Equal(2 * (4 + 1) + 1, bitmap.Height);
        Assert.Equal(0, bitmap.GetPixel(1, 1).Red);
        Assert.Equal(255, bitmap.GetPixel(1 + 6, 1).Red);
    }

    [Fact]
    public void RejectsWrongShape()
    {
        using var images = zeros(2, 28, 28);
        var error = Assert.Throws<ArgumentException>(() => ImageGrid.ToPng(images));
        Assert.Contains("[N,1,H,W]", error.Message);
    }
}
