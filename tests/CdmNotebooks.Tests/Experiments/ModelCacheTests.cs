using CdmNotebooks.Diffusion;
using CdmNotebooks.Experiments;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.Experiments;

/// <summary>The model cache keeps requested snapshots and refuses to reuse a cached model that lacks one, step 0 included.</summary>
public sealed class ModelCacheTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cdm-model-cache-tests-").FullName;

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    public void ACachedModelMissingARequestedSnapshotIsRefusedNamingTheStep(int removed)
    {
        var config = ModelProfiles.Get("smoke") with { TrainSteps = 10, CheckpointEvery = 10 };
        var identity = new TrainingDataIdentity("synthetic", "noise", "all", "identity-cache");
        var cache = new ModelCache(_root);
        var model = cache.GetOrTrain(config, identity, Data, snapshotSteps: [0, 10]);
        Assert.True(File.Exists(ModelCache.SnapshotPath(model, 0)));
        Assert.True(File.Exists(ModelCache.SnapshotPath(model, 10)));

        // With every snapshot present the cached model is reused.
        Assert.True(cache.GetOrTrain(config, identity, Data, snapshotSteps: [0, 10]).FromCache);

        File.Delete(ModelCache.SnapshotPath(model, removed));
        var error = Assert.Throws<InvalidOperationException>(() => cache.GetOrTrain(config, identity, Data, snapshotSteps: [0, 10]));
        Assert.Contains($"has no snapshot of step {removed}:", error.Message, StringComparison.Ordinal);

        TrainingData Data()
        {
            var generator = new Generator(7);
            return new TrainingData(rand([16, 1, 28, 28], generator: generator) * 2 - 1, randint(10, [16], generator: generator, dtype: ScalarType.Int64), identity);
        }
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
