using CdmNotebooks.Data;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.Data;

public sealed class DatasetCatalogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cdm-data-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void FashionMnistTestPartLoadsWithRangeLabelsAndIds()
    {
        using var test = DatasetCatalog.Load("fashion-mnist", "test");
        Assert.Equal(new long[] { 10000, 1, 28, 28 }, test.Images.shape);
        Assert.Equal(ScalarType.Float32, test.Images.dtype);
        Assert.Equal(-1.0f, test.Images.min().item<float>());
        Assert.Equal(1.0f, test.Images.max().item<float>());
        Assert.Equal("fashion-mnist/test/000000", test.Ids[0]);
        Assert.Equal(9L, test.Labels[0]); // the first t10k label is an ankle boot
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(1000, test.Labels.Count(l => l == c)));
    }

    [Fact]
    public void Mnist10kHeldOutIsDisjointFromTrainAndHas100PerDigit()
    {
        using var train = DatasetCatalog.Load("mnist10k", "train");
        using var test = DatasetCatalog.Load("mnist10k", "test");
        Assert.Equal(9000, train.Count);
        Assert.Equal(1000, test.Count);
        Assert.Empty(train.Ids.Intersect(test.Ids));
        Assert.All(Enumerable.Range(0, 10), d => Assert.Equal(100, test.Labels.Count(l => l == d)));
        Assert.All(test.Ids.Zip(test.Labels), p => Assert.StartsWith($"mnist10k/{p.Second}/", p.First));
    }

    [Fact]
    public void SubsetAndSelectIdsKeepImagesAlignedWithIds()
    {
        using var test = DatasetCatalog.Load("mnist10k", "test");
        using var picked = test.SelectIds(new[] { test.Ids[5], test.Ids[2] });
        Assert.Equal(new[] { test.Ids[2], test.Ids[5] }, picked.Ids);
        Assert.True(picked.Images[1].allclose(test.Images[5], 0, 0));
        using var rest = test.Without(new[] { test.Ids[0] });
        Assert.Equal(999, rest.Count);
        Assert.Throws<KeyNotFoundException>(() => test.SelectIds(new[] { "mnist10k/0/9999" }));
    }

    [Fact]
    public void MissingFilesNameTheInstallCommand()
    {
        var locations = new DataLocations { FashionMnistDirectory = _dir };
        var error = Assert.Throws<FileNotFoundException>(() => DatasetCatalog.Load("fashion-mnist", "test", locations));
        Assert.Contains("apt-get install dataset-fashion-mnist", error.Message);
        Assert.Contains("CDM_FASHION_MNIST_DIR", error.Message);
    }

    [Fact]
    public void ChecksumMismatchIsReportedWithFileAndFix()
    {
        // A user directory with the standard file names but one altered byte in the test images.
        foreach (var name in new[] { "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz" })
        {
            File.Copy(Path.Combine(DataLocations.Default.FashionMnistDirectory, name), Path.Combine(_dir, name));
        }

        var images = IdxFile.Read(Path.Combine(DataLocations.Default.FashionMnistDirectory, "t10k-images-idx3-ubyte.gz"), 3);
        var values = images.Values.ToArray();
        values[100] ^= 0xff;
        File.WriteAllBytes(Path.Combine(_dir, "t10k-images-idx3-ubyte"), IdxFileTests.Idx(new[] { 10000, 28, 28 }, values));
        var error = Assert.Throws<DataFormatException>(() => DatasetCatalog.Load("fashion-mnist", "test", new DataLocations { FashionMnistDirectory = _dir }));
        Assert.Contains("checksum mismatch", error.Message);
        Assert.Contains("t10k-images-idx3-ubyte", error.Message);

        var report = DatasetCatalog.Check("fashion-mnist", new DataLocations { FashionMnistDirectory = _dir });
        Assert.False(report.Single(r => r.Role == "t10k-images").Ok);
        Assert.True(report.Single(r => r.Role == "train-labels").Ok);
    }

    [Fact]
    public void UncompressedStandardFilesAreAccepted()
    {
        foreach (var name in new[] { "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", "train-labels-idx1-ubyte" })
        {
            var idx = IdxFile.Read(Path.Combine(DataLocations.Default.FashionMnistDirectory, name + ".gz"), name.Contains("images") ? 3 : 1);
            File.WriteAllBytes(Path.Combine(_dir, name), IdxFileTests.Idx(idx.Dimensions.ToArray(), idx.Values));
        }

        File.Copy(Path.Combine(DataLocations.Default.FashionMnistDirectory, "train-images-idx3-ubyte.gz"), Path.Combine(_dir, "train-images-idx3-ubyte.gz"));
        using var test = DatasetCatalog.Load("fashion-mnist", "test", new DataLocations { FashionMnistDirectory = _dir });
        Assert.Equal(10000, test.Count);
    }

    [Theory]
    [InlineData("{\"data\":[0,0.5,1]}", "not a positive multiple of 784")]
    [InlineData("{\"data\":[0,0.5,", "not valid JSON")]
    [InlineData("{\"pixels\":[]}", "no \"data\" array")]
    [InlineData("{\"data\":[2]}", "not a number in [0, 1]")]
    public void MalformedMnistJsonIsReported(string json, string expected)
    {
        var path = Path.Combine(_dir, "3.json");
        File.WriteAllText(path, json);
        var error = Assert.Throws<DataFormatException>(() => DatasetCatalog.ReadMnistJson(path));
        Assert.Contains(expected, error.Message);
        Assert.Contains("3.json", error.Message);
    }

    [Fact]
    public void MnistJsonWithWrongImageCountFailsTheManifest()
    {
        var source = DataLocations.Default.Mnist10kDirectory;
        foreach (var file in Directory.GetFiles(source, "*.json"))
        {
            File.Copy(file, Path.Combine(_dir, Path.GetFileName(file)));
        }

        File.WriteAllText(Path.Combine(_dir, "4.json"), "{\"data\":[" + string.Join(",", Enumerable.Repeat("0", 784 * 2)) + "]}");
        var error = Assert.Throws<DataFormatException>(() =>
            DatasetCatalog.Load("mnist10k", "train", new DataLocations { Mnist10kDirectory = _dir, VerifyChecksums = false }));
        Assert.Contains("holds 2 samples", error.Message);
        Assert.Contains("4.json", error.Message);
    }
}
