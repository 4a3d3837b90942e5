using System.Security.Cryptography;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;

namespace CdmNotebooks.Tests.Diffusion;

/// <summary>Model caches go stale only on purpose: the training-code revision in every cache key is the hash of the current training sources.</summary>
public sealed class TrainingCodeTests
{
    [Fact]
    public void RevisionIsTheHashOfTheCurrentTrainingSources()
    {
        var project = Path.Combine(RepositoryPaths.Root, "lib", "CdmNotebooks");
        var listing = Directory.GetFiles(Path.Combine(project, "obj"), "training-sources.txt", SearchOption.AllDirectories)
            .First(f => File.ReadAllText(Path.ChangeExtension(f, ".sha256")).Trim() == TrainingCode.Revision);
        var lines = File.ReadAllLines(listing).Where(l => l.Length > 0).ToList();
        // The files whose change must retrain a model are all in the hash.
        foreach (var required in new[] { "Diffusion/Models/UNet.cs", "Diffusion/Schedules/NoiseSchedule.cs", "Diffusion/Training/DiffusionTrainer.cs", "Diffusion/PredictionConverter.cs", "TextToImage/TextEncoder.cs" })
        {
            Assert.Contains(lines, l => l.StartsWith(required + " ", StringComparison.Ordinal));
        }

        // Each listed hash is that file's content now: a source edited after the build would show here.
        foreach (var line in lines)
        {
            var (path, hash) = (line[..line.LastIndexOf(' ')], line[(line.LastIndexOf(' ') + 1)..]);
            Assert.Equal(hash, Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(project, path)))));
        }

        Assert.Equal(TrainingCode.Revision, Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(listing))));
    }

    [Fact]
    public void ModelKeyDependsOnConfigurationAndData()
    {
        var config = ModelProfiles.Get("smoke");
        var data = new TrainingDataIdentity("mnist10k", "all", "all", new string('a', 64));
        Assert.NotEqual(ModelKey.Of(config, data), ModelKey.Of(config with { TrainSteps = config.TrainSteps + 1 }, data));
        Assert.NotEqual(ModelKey.Of(config, data), ModelKey.Of(config, data with { Identity = new string('b', 64) }));
        Assert.Equal(ModelKey.Of(config, data), ModelKey.Of(config with { }, data));
    }
}
