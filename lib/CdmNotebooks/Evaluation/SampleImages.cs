using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace CdmNotebooks.Evaluation;

/// <summary>Reads generated samples for evaluation: a TorchSharp tensor file (.pt) or a folder of 28x28 PNGs, as [N,1,28,28] in [-1,1].</summary>
public static class SampleImages
{
    /// <summary>Loads <paramref name="path"/>: a tensor file (<c>Tensor.save</c> / <c>torch.save</c>, or TorchSharp's <c>Tensor.Save</c>), or a folder whose *.png files are read in ordinal name order.</summary>
    public static Tensor Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (System.IO.Directory.Exists(path))
        {
            return LoadPngFolder(path);
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Samples '{path}' not found: pass a .pt tensor file or a folder of PNG images.", path);
        }

        using var scope = NewDisposeScope();
        var loaded = ReadTensorFile(path);
        var images = loaded.dim() == 3 ? loaded.unsqueeze(1) : loaded;
        FeatureChecks.RequireImages(images, $"samples in '{path}'");
        images = images.to(ScalarType.Float32);
        var min = images.min().item<float>();
        var max = images.max().item<float>();
        if (min < -1.001f || max > 1.001f)
        {
            throw new FormatException(
                $"Samples in '{path}' range over [{min}, {max}], not [-1, 1]. Rescale them (bytes: x / 127.5 - 1; [0,1] floats: 2x - 1) or clamp the sampler's output.");
        }

        return images.MoveToOuterDisposeScope();
    }

    /// <summary>Writes <paramref name="images"/> ([N,1,H,W] in [-1,1]) as <c>samples.pt</c> and the requested <paramref name="classes"/> as <c>classes.txt</c> into <paramref name="folder"/>, the pair <c>cdm eval</c> reads; both writes are atomic.</summary>
    /// <returns>The path of samples.pt.</returns>
    public static string Save(string folder, Tensor images, IReadOnlyList<long> classes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(classes);
        if (images.shape[0] != classes.Count)
        {
            throw new ArgumentException($"{images.shape[0]} images but {classes.Count} classes: give one requested class per image.", nameof(classes));
        }

        System.IO.Directory.CreateDirectory(folder);
        var target = Path.Combine(folder, "samples.pt");
        using (var cpuImages = images.cpu())
        {
            // libtorch's own format (torch.load reads it in Python too); temp + rename so a crash leaves no half file.
            cpuImages.save(target + ".tmp");
        }

        File.Move(target + ".tmp", target, overwrite: true);
        CdmNotebooks.IO.AtomicFile.WriteAllText(Path.Combine(folder, "classes.txt"), string.Join('\n', classes) + "\n");
        return target;
    }

    private static Tensor ReadTensorFile(string path)
    {
        // Two writers are common: Tensor.save / torch.save (libtorch's own serialization) and TorchSharp's
        // Tensor.Save(BinaryWriter) format; try the first, then the second, and report both failures.
        try
        {
            return torch.load(path);
        }
        catch (Exception first) when (first is not OutOfMemoryException)
        {
            try
            {
                return Tensor.Load(path);
            }
            catch (Exception second) when (second is not OutOfMemoryException)
            {
                throw new FormatException(
                    $"'{path}' is neither a libtorch tensor file (Tensor.save / torch.save) nor a TorchSharp Tensor.Save file " +
                    $"({first.Message.Split('\n')[0]}; {second.Message.Split('\n')[0]}). Save the samples with TorchSharp or export PNGs.", second);
            }
        }
    }

    /// <summary>Reads one integer class per line (blank lines and '#' comments ignored) from <paramref name="path"/>.</summary>
    public static long[] LoadClasses(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Classes file '{path}' not found: it should hold one integer class per line, in sample order.", path);
        }

        var classes = new List<long>();
        var lineNumber = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNumber++;
            var text = line.Split('#')[0].Trim();
            if (text.Length == 0)
            {
                continue;
            }

            if (!long.TryParse(text, out var value))
            {
                throw new FormatException($"{path}:{lineNumber}: '{text}' is not an integer class. Write one class per line, in sample order.");
            }

            classes.Add(value);
        }

        return classes.ToArray();
    }

    private static Tensor LoadPngFolder(string folder)
    {
        var files = System.IO.Directory.GetFiles(folder, "*.png").Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
        {
            throw new FileNotFoundException($"Folder '{folder}' holds no *.png files; write one 28x28 PNG per sample there.", folder);
        }

        var pixels = new byte[files.Length * 28 * 28];
        for (var n = 0; n < files.Length; n++)
        {
            using var bitmap = SKBitmap.Decode(files[n])
                ?? throw new FormatException($"'{files[n]}' is not a readable PNG.");
            if (bitmap.Width != 28 || bitmap.Height != 28)
            {
                throw new FormatException($"'{files[n]}' is {bitmap.Width}x{bitmap.Height}; every sample PNG must be 28x28 (one image per file, not a grid).");
            }

            for (var y = 0; y < 28; y++)
            {
                for (var x = 0; x < 28; x++)
                {
                    // Grayscale PNGs decode with R = G = B; for colour ones the luma weights of ITU-R BT.601 apply.
                    var c = bitmap.GetPixel(x, y);
                    pixels[n * 784 + y * 28 + x] = (byte)Math.Round(0.299 * c.Red + 0.587 * c.Green + 0.114 * c.Blue);
                }
            }
        }

        using var scope = NewDisposeScope();
        return tensor(pixels, [files.Length, 1, 28, 28], ScalarType.Byte).to(ScalarType.Float32).div(127.5).sub(1.0).MoveToOuterDisposeScope();
    }
}
