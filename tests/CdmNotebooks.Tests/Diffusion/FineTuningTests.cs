using CdmNotebooks.Composition;
using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.Diffusion;

/// <summary>Fine-tuning in the one trainer, the recipe options, and the two one-model baselines built on fine-tuned shards (soup, random pick).</summary>
public sealed class FineTuningTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cdm-finetune-tests-").FullName;
    private readonly Tensor _images;
    private readonly Tensor _labels;
    private readonly TrainingConfig _config = ModelProfiles.Get("smoke") with { TrainSteps = 6, CheckpointEvery = 3, WarmupSteps = 2 };

    public FineTuningTests()
    {
        var generator = new Generator(7);
        _labels = randint(10, [32], generator: generator, dtype: ScalarType.Int64);
        _images = rand([32, 1, 28, 28], generator: generator).mul(2).sub(1);
    }

    public void Dispose()
    {
        _images.Dispose();
        _labels.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private TrainingData Data(string shard) => new(_images, _labels, new TrainingDataIdentity("synthetic", "noise", shard, "identity-" + shard));

    private string TrainBase()
    {
        var directory = Path.Combine(_root, "base");
        using var trainer = new DiffusionTrainer(_config, Data("base"), directory, CPU);
        trainer.Train();
        return trainer.LatestCheckpoint!;
    }

    private TrainingConfig FineTuneConfig(string baseCheckpoint) => _config with { Base = BaseLineage.Of(Checkpoint.ReadHeader(baseCheckpoint)), Seed = 5 };

    [Fact]
    public void FineTuningStartsFromTheBaseEmaRecordsItsLineageAndLeavesTheBaseUntouched()
    {
        var baseCheckpoint = TrainBase();
        var baseBytes = File.ReadAllBytes(baseCheckpoint);
        var config = FineTuneConfig(baseCheckpoint);
        using var baseModel = Checkpoint.LoadDenoiser(baseCheckpoint, device: CPU).Network;
        using (var trainer = new DiffusionTrainer(config, Data("s0"), Path.Combine(_root, "s0"), CPU, baseCheckpoint: baseCheckpoint))
        {
            Assert.Equal(0, trainer.Step);
            foreach (var (start, b) in trainer.Model.parameters().Zip(baseModel.parameters()))
            {
                Assert.True(start.eq(b).all().item<bool>(), "the fine-tuned model did not start from the base's EMA weights");
            }

            trainer.Train();
            var header = Checkpoint.ReadHeader(trainer.LatestCheckpoint!);
            Assert.Equal(ModelKey.Of(_config, Data("base").Identity), header.Config.Base!.Key);
            Assert.Equal("base", header.Config.Base.Data.Shard);
        }

        Assert.Equal(baseBytes, File.ReadAllBytes(baseCheckpoint));
        Assert.NotEqual(ModelKey.Of(_config with { Seed = 5 }, Data("s0").Identity), ModelKey.Of(config, Data("s0").Identity));
    }

    [Fact]
    public void FineTuningRefusesABaseWithAnotherArchitectureOrScheduleAndNamesTheField()
    {
        var baseCheckpoint = TrainBase();
        var lineage = BaseLineage.Of(Checkpoint.ReadHeader(baseCheckpoint));
        var wider = _config with { Base = lineage, Model = _config.Model with { BaseChannels = 16 } };
        var e = Assert.Throws<ArgumentException>(() => new DiffusionTrainer(wider, Data("s0"), null, CPU, baseCheckpoint: baseCheckpoint));
        Assert.Contains("Model.BaseChannels differs", e.Message, StringComparison.Ordinal);
        var eps = _config with { Base = lineage, Model = _config.Model with { Prediction = PredictionKind.Epsilon } };
        e = Assert.Throws<ArgumentException>(() => new DiffusionTrainer(eps, Data("s0"), null, CPU, baseCheckpoint: baseCheckpoint));
        Assert.Contains("Model.Prediction differs", e.Message, StringComparison.Ordinal);
        var cosine = _config with { Base = lineage, ScheduleKind = "cosine" };
        e = Assert.Throws<ArgumentException>(() => new DiffusionTrainer(cosine, Data("s0"), null, CPU, baseCheckpoint: baseCheckpoint));
        Assert.Contains("ScheduleKind differs", e.Message, StringComparison.Ordinal);
        var wrongBase = _config with { Base = lineage with { Key = "0123456789abcdef0123" } };
        e = Assert.Throws<ArgumentException>(() => new DiffusionTrainer(wrongBase, Data("s0"), null, CPU, baseCheckpoint: baseCheckpoint));
        Assert.Contains("not the configuration's base", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => new DiffusionTrainer(_config with { Base = lineage }, Data("s0"), null, CPU));
        Assert.Contains("no base checkpoint was given", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SoupAveragesShardsOfOneBaseAndRefusesAScratchShard()
    {
        var baseCheckpoint = TrainBase();
        var config = FineTuneConfig(baseCheckpoint);
        var shards = new[] { "s0", "s1" }.Select(s =>
        {
            using var trainer = new DiffusionTrainer(config with { Seed = s == "s0" ? 11 : 12 }, Data(s), Path.Combine(_root, s), CPU, baseCheckpoint: baseCheckpoint);
            trainer.Train();
            return trainer.LatestCheckpoint!;
        }).ToArray();

        using var soup = ModelSoup.Average(shards, [3, 1], CPU).Network;
        using var a = Checkpoint.LoadDenoiser(shards[0], device: CPU).Network;
        using var b = Checkpoint.LoadDenoiser(shards[1], device: CPU).Network;
        foreach (var ((s, x), y) in soup.parameters().Zip(a.parameters()).Zip(b.parameters()))
        {
            Assert.True(s.allclose(x * 0.75 + y * 0.25, rtol: 1e-5, atol: 1e-6), "the soup is not the weighted average of the shards' EMA weights");
        }

        var scratch = TrainBase();
        var e = Assert.Throws<InvalidOperationException>(() => ModelSoup.Average([shards[0], scratch], [1, 1], CPU));
        Assert.Contains("trained from scratch", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RandomPickDrawsOneShardPerSampleFromTheClassPriorsAndKeepsItForThePath()
    {
        // Shard 0 holds only class 0, shard 1 only class 1, shard 2 both equally.
        var priors = ShardPriors.FromClassCounts([[10, 0], [0, 10], [10, 10]]);
        using var router = new RandomPickRouter(priors, seed: 3);
        using var labels = tensor(Enumerable.Range(0, 400).Select(i => (long)(i % 2)).ToArray());
        using var x = zeros(400, 1, 2, 2);
        router.BeginPath(400);
        using var first = router.Weights(x, full(400, 999L), Conditioning.Classes(labels), ShardMask.All(3));
        using var later = router.Weights(x, full(400, 10L), Conditioning.Classes(labels), ShardMask.All(3));
        Assert.True(first.sum(1).eq(1).all().item<bool>());
        Assert.True(first.eq(later).all().item<bool>(), "the pick changed along the path");
        var picks = first.argmax(1).data<long>().ToArray();
        var cls = labels.data<long>().ToArray();
        Assert.DoesNotContain(Enumerable.Range(0, 400), i => picks[i] == 1 - cls[i]);
        // P(shard 2 | class) = 0.5: 200 draws per class land within 4.5 standard deviations (sd ~7) of 100.
        Assert.InRange(picks.Where((p, i) => cls[i] == 0 && p == 2).Count(), 68, 132);
        router.BeginPath(400);
        using var next = router.Weights(x, full(400, 999L), Conditioning.Classes(labels), ShardMask.All(3));
        Assert.False(next.eq(first).all().item<bool>(), "a new path must draw new picks");
    }

    [Fact]
    public void CosineDecayReachesZeroAtTheLastStepAndMinSnrChangesTheLoss()
    {
        var config = _config with { TrainSteps = 100, WarmupSteps = 10, LearningRate = 1e-3, LearningRateDecay = "cosine" };
        Assert.Equal(1e-4, config.LearningRateAt(0), 9);
        Assert.Equal(1e-3, config.LearningRateAt(9), 9);
        Assert.True(config.LearningRateAt(54) < 6e-4 && config.LearningRateAt(54) > 4e-4);
        Assert.Equal(0, config.LearningRateAt(99), 12);
        Assert.Equal(1e-3, (config with { LearningRateDecay = "constant" }).LearningRateAt(99), 12);
        Assert.Throws<ArgumentException>(() => (config with { LearningRateDecay = "linear" }).Validate());
        Assert.Throws<ArgumentException>(() => (config with { MinSnrGamma = -1 }).Validate());

        using var plain = new DiffusionTrainer(_config, Data("a"), null, CPU);
        using var weighted = new DiffusionTrainer(_config with { MinSnrGamma = 5 }, Data("a"), null, CPU);
        var lossPlain = plain.TrainStep();
        var lossWeighted = weighted.TrainStep();
        Assert.True(double.IsFinite(lossWeighted));
        // v-prediction weights min(SNR, 5) / (SNR + 1) <= 1 with equality nowhere, so the weighted loss of the same batch is smaller.
        Assert.True(lossWeighted < lossPlain, $"min-SNR loss {lossWeighted} should be below the plain loss {lossPlain} on the same batch");
    }
}
