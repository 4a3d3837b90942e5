using CdmNotebooks.IO;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace CdmNotebooks.Reporting;

/// <summary>Renders a batch of images [N,C,H,W] with values in [-1, 1] as one PNG grid (C = 1 grayscale or 3 RGB).</summary>
public static class ImageGrid
{
    /// <summary>Encodes the batch as a PNG grid with <paramref name="columns"/> columns, each pixel enlarged <paramref name="scale"/> times.</summary>
    public static byte[] ToPng(Tensor images, int columns = 8, int scale = 2, int padding = 2)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4 || (images.shape[1] != 1 && images.shape[1] != 3))
        {
            throw new ArgumentException(
                $"ImageGrid expects images shaped [N,1,H,W] or [N,3,H,W]; got [{string.Join(",", images.shape)}].", nameof(images));
        }

        if (columns < 1 || scale < 1 || padding < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(columns), "columns and scale must be >= 1 and padding >= 0.");
        }

        var count = (int)images.shape[0];
        var channels = (int)images.shape[1];
        var height = (int)images.shape[2];
        var width = (int)images.shape[3];
        byte[] pixels;
        using (NewDisposeScope())
        {
            var bytes = images.detach().to(CPU).to(ScalarType.Float32)
                .clamp(-1, 1).add(1).mul(127.5).round().to(ScalarType.Byte).contiguous();
            pixels = bytes.data<byte>().ToArray();
        }

        var cols = Math.Min(columns, Math.Max(count, 1));
        var rows = Math.Max(1, (count + cols - 1) / cols);
        var cellW = width * scale + padding;
        var cellH = height * scale + padding;
        using var bitmap = new SKBitmap(cols * cellW + padding, rows * cellH + padding, SKColorType.Rgba8888, SKAlphaType.Opaque);
        bitmap.Erase(new SKColor(255, 255, 255));
        var plane = height * width;
        for (var n = 0; n < count; n++)
        {
            var x0 = padding + (n % cols) * cellW;
            var y0 = padding + (n / cols) * cellH;
            for (var y = 0; y < height; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    var offset = n * channels * plane + y * width + x;
                    var color = channels == 1
                        ? new SKColor(pixels[offset], pixels[offset], pixels[offset])
                        : new SKColor(pixels[offset], pixels[offset + plane], pixels[offset + 2 * plane]);
                    for (var dy = 0; dy < scale; dy++)
                    {
                        for (var dx = 0; dx < scale; dx++)
                        {
                            bitmap.SetPixel(x0 + x * scale + dx, y0 + y * scale + dy, color);
                        }
                    }
                }
            }
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Writes the PNG grid atomically to <paramref name="path"/>.</summary>
    public static void SavePng(Tensor images, string path, int columns = 8, int scale = 2, int padding = 2) =>
        AtomicFile.WriteAllBytes(path, ToPng(images, columns, scale, padding));
}
