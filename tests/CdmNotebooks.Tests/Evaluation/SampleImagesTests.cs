using CdmNotebooks.Evaluation;
using CdmNotebooks.Reporting;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.Evaluation;

public sealed class SampleImagesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cdm-samples-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void PngFolderRoundTripsToTheSamePixelsInNameOrder()
    {
        using var scope = NewDisposeScope();
        var bytes = randint(0, 256, [3, 1, 28, 28], generator: new Generator(1)).to(ScalarType.Float32);
        var images = bytes / 127.5 - 1;
        for (var i = 0; i < 3; i++)
        {
            ImageGrid.SavePng(images.narrow(0, i, 1), Path.Combine(_dir, $"sample_{i:D3}.png"), columns: 1, scale: 1, padding: 0);
        }

        var loaded = SampleImages.Load(_dir);
        Assert.Equal([3L, 1, 28, 28], loaded.shape);
        Assert.True(loaded.sub(images).abs().max().item<float>() < 1e-5f);
    }

    [Fact]
    public void TensorFileRoundTripsAndOutOfRangeValuesAreRejected()
    {
        using var scope = NewDisposeScope();
        var images = rand(5, 1, 28, 28) * 2 - 1;
        var good = Path.Combine(_dir, "good.pt");
        images.save(good);
        Assert.True(SampleImages.Load(good).eq(images).all().item<bool>());

        var bad = Path.Combine(_dir, "bytes.pt");
        (images.add(1) * 127.5).save(bad);
        Assert.Contains("not [-1, 1]", Assert.Throws<FormatException>(() => SampleImages.Load(bad)).Message);
    }

    [Fact]
    public void ClassesFileIsParsedAndBadLinesNamed()
    {
        var path = Path.Combine(_dir, "classes.txt");
        File.WriteAllText(path, "3\n# comment\n\n7\n");
        Assert.Equal([3L, 7], SampleImages.LoadClasses(path));
        File.WriteAllText(path, "3\nseven\n");
        Assert.Contains(":2:", Assert.Throws<FormatException>(() => SampleImages.LoadClasses(path)).Message);
    }
}
