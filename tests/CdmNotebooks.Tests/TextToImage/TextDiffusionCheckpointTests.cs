using CdmNotebooks.TextToImage;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.TextToImage;

public sealed class TextDiffusionCheckpointTests
{
    private static readonly TextDiffusionConfig _tiny = TinyTextModel.Config with { Seed = 3 };

    [Fact]
    public void SavedModelLoadsWithItsConfigurationAndGivesIdenticalPredictions()
    {
        var folder = Directory.CreateTempSubdirectory("cdm-textckpt-").FullName;
        try
        {
            using var model = new TextDiffusionModel(_tiny);
            var path = Path.Combine(folder, "model.bin");
            TextDiffusionCheckpoint.Save(model, path);
            using var loaded = TextDiffusionCheckpoint.Load(path);

            Assert.Equal(_tiny.Seed, loaded.Config.Seed);
            Assert.Equal(_tiny.Model.ChannelMultipliers, loaded.Config.Model.ChannelMultipliers);
            Assert.Equal(TextDiffusionCheckpoint.Fingerprint(model), TextDiffusionCheckpoint.Fingerprint(loaded));
            using var x = randn(2, 1, 28, 28);
            using var t = tensor(new long[] { 10, 90 });
            var conditioning = TextConditioning.FromCaptions(["a 7 top left", "a sneaker bottom right and a 2 top right"]);
            model.Unet.eval();
            model.Encoder.eval();
            using var expected = model.Denoiser().PredictX0(x, t, conditioning);
            using var actual = loaded.Denoiser().PredictX0(x, t, conditioning);
            Assert.True(expected.allclose(actual, 0, 0));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void LoadRejectsWeightsOfAnotherConfigurationAndMissingFiles()
    {
        var folder = Directory.CreateTempSubdirectory("cdm-textckpt-").FullName;
        try
        {
            using var model = new TextDiffusionModel(_tiny);
            var path = Path.Combine(folder, "model.bin");
            TextDiffusionCheckpoint.Save(model, path);
            using (var wider = new TextDiffusionModel(_tiny with { Model = _tiny.Model with { BaseChannels = 16 } }))
            {
                // Weights of a wider UNet next to the tiny configuration: loading must fail, not silently mix.
                TextDiffusionCheckpoint.Save(wider, Path.Combine(folder, "wider.bin"));
                File.Copy(Path.Combine(folder, "wider.bin"), path, overwrite: true);
            }

            Assert.Contains("does not hold weights of the configuration", Assert.Throws<InvalidDataException>(() => TextDiffusionCheckpoint.Load(path)).Message);
            Assert.Throws<FileNotFoundException>(() => TextDiffusionCheckpoint.Load(Path.Combine(folder, "absent.bin")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ContextRoundTripsAndCorruptFilesAreRejected()
    {
        var folder = Directory.CreateTempSubdirectory("cdm-textckpt-").FullName;
        try
        {
            using var context = randn(4, 16);
            var path = Path.Combine(folder, "context.bin");
            TextDiffusionCheckpoint.SaveContext(context, path);
            using var loaded = TextDiffusionCheckpoint.LoadContext(path);
            Assert.Equal(context.shape, loaded.shape);
            Assert.True(context.allclose(loaded, 0, 0));

            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..^4]);
            Assert.Throws<InvalidDataException>(() => TextDiffusionCheckpoint.LoadContext(path));
            using var vector = randn(16);
            Assert.Throws<ArgumentException>(() => TextDiffusionCheckpoint.SaveContext(vector, path));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void FingerprintChangesWhenAnyWeightChanges()
    {
        using var model = new TextDiffusionModel(_tiny);
        var before = TextDiffusionCheckpoint.Fingerprint(model);
        Assert.Equal(before, TextDiffusionCheckpoint.Fingerprint(model));
        using (no_grad())
        {
            model.Parameters().Last().add_(1e-3);
        }

        Assert.NotEqual(before, TextDiffusionCheckpoint.Fingerprint(model));
    }
}
