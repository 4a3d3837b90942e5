using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.Diffusion;

public sealed class TrainerTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "cdm-trainer-tests-" + Guid.NewGuid().ToString("N"));
    private readonly Tensor _images;
    private readonly Tensor _labels;
    private readonly TrainingData _data;

    public TrainerTests()
    {
        (_images, _labels) = Squares(64, seed: 42);
        _data = new TrainingData(_images, _labels, new TrainingDataIdentity("synthetic", "squares", "all", "identity-a"));
    }

    private const int Steps = 300;

    /// <summary>Class-dependent images: a bright 8x8 square on a dark background whose position (2k, 2k) encodes the label k.</summary>
    private static (Tensor Images, Tensor Labels) Squares(int count, ulong seed, long[]? classes = null)
    {
        var generator = new Generator(seed);
        var labels = classes is null ? randint(10, [count], generator: generator, dtype: ScalarType.Int64) : tensor(classes);
        var images = full([labels.shape[0], 1, 28, 28], -1.0f);
        var values = labels.data<long>().ToArray();
        for (var i = 0; i < values.Length; i++)
        {
            var offset = (int)values[i] * 2;
            images[i, 0, TensorIndex.Slice(offset, offset + 8), TensorIndex.Slice(offset, offset + 8)] = tensor(1.0f);
        }

        return (images, labels);
    }

    public void Dispose()
    {
        _images.Dispose();
        _labels.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void ResumeAfterCancellationReachesBitIdenticalWeights()
    {
        var config = ModelProfiles.Get("smoke");
        var straight = Path.Combine(_root, "straight");
        using (var trainer = new DiffusionTrainer(config, _data, straight, CPU))
        {
            trainer.Train();
        }

        var interrupted = Path.Combine(_root, "interrupted");
        using (var cts = new CancellationTokenSource())
        using (var trainer = new DiffusionTrainer(config, _data, interrupted, CPU))
        {
            Assert.Throws<OperationCanceledException>(() => trainer.Train(p =>
            {
                if (p.Step == 13)
                {
                    cts.Cancel();
                }
            }, cts.Token));
            Assert.Equal(13, trainer.Step);
        }

        var log = new List<string>();
        using (var resumed = new DiffusionTrainer(config, _data, interrupted, CPU, log.Add))
        {
            Assert.Equal(13, resumed.Step);
            resumed.Train();
        }

        Assert.Contains(log, l => l.Contains("step 13"));
        using var a = Checkpoint.LoadDenoiser(Path.Combine(straight, Checkpoint.FileName(20)), useEma: false, device: CPU).Network;
        using var b = Checkpoint.LoadDenoiser(Path.Combine(interrupted, Checkpoint.FileName(20)), useEma: false, device: CPU).Network;
        using var aEma = Checkpoint.LoadDenoiser(Path.Combine(straight, Checkpoint.FileName(20)), device: CPU).Network;
        using var bEma = Checkpoint.LoadDenoiser(Path.Combine(interrupted, Checkpoint.FileName(20)), device: CPU).Network;
        foreach (var (x, y) in a.parameters().Zip(b.parameters()).Concat(aEma.parameters().Zip(bEma.parameters())))
        {
            Assert.True(x.eq(y).all().item<bool>(), "weights after resume differ from the uninterrupted run");
        }

        // Only the newest two checkpoints are kept.
        Assert.Equal([Checkpoint.FileName(20), Checkpoint.FileName(13)], Checkpoint.List(interrupted).Select(Path.GetFileName));
    }

    [Fact]
    public void DivergingTrainingSkipsNonFiniteUpdatesThenStopsWithAClearError()
    {
        // A learning rate of 1e30 blows the weights up after one update, so every later loss is non-finite.
        var config = ModelProfiles.Get("smoke") with { LearningRate = 1e30, WarmupSteps = 1, TrainSteps = 40, CheckpointEvery = 40 };
        var log = new List<string>();
        using var trainer = new DiffusionTrainer(config, _data, checkpointDirectory: null, CPU, log.Add);
        var error = Assert.Throws<InvalidOperationException>(() => trainer.Train());

        Assert.Contains($"{DiffusionTrainer.MaxConsecutiveSkips} consecutive steps", error.Message);
        Assert.Equal(DiffusionTrainer.MaxConsecutiveSkips, trainer.SkippedSteps);
        Assert.True(trainer.Step < config.TrainSteps);
        Assert.Contains(log, l => l.Contains("update skipped"));
        Assert.True(double.IsFinite(trainer.LastLoss), "LastLoss must keep the last finite loss, so checkpoints stay writable");
        // Skipped updates never write non-finite values into the weights or their moving average.
        foreach (var p in trainer.Model.parameters().Concat(trainer.Ema.parameters()))
        {
            Assert.False(p.isnan().any().item<bool>(), "a skipped update wrote NaN into the weights");
        }
    }

    [Fact]
    public void TornNewestCheckpointFallsBackToThePreviousGoodOne()
    {
        var config = ModelProfiles.Get("smoke") with { TrainSteps = 4, CheckpointEvery = 2 };
        var dir = Path.Combine(_root, "torn");
        using (var trainer = new DiffusionTrainer(config, _data, dir, CPU))
        {
            trainer.Train();
        }

        var newest = Path.Combine(dir, Checkpoint.FileName(4));
        var bytes = File.ReadAllBytes(newest);
        File.WriteAllBytes(newest, bytes[..(bytes.Length / 2)]);
        var error = Assert.Throws<CheckpointException>(() => Checkpoint.ReadHeader(newest));
        Assert.Equal(CheckpointErrorKind.Corrupt, error.Kind);

        var log = new List<string>();
        using var resumed = new DiffusionTrainer(config, _data, dir, CPU, log.Add);
        Assert.Equal(2, resumed.Step);
        Assert.Contains(log, l => l.Contains("Skipping unusable checkpoint"));
    }

    [Fact]
    public void LoadingErrorsNameTheirCause()
    {
        var config = ModelProfiles.Get("smoke") with { TrainSteps = 1 };
        var dir = Path.Combine(_root, "errors");
        using (var trainer = new DiffusionTrainer(config, _data, dir, CPU))
        {
            trainer.Train();
        }

        var path = Path.Combine(dir, Checkpoint.FileName(1));
        Assert.Equal(CheckpointErrorKind.Missing, Assert.Throws<CheckpointException>(() => Checkpoint.ReadHeader(Path.Combine(dir, "nope.cdmckpt"))).Kind);

        var otherData = _data.Identity with { Identity = "identity-b" };
        var mismatch = Assert.Throws<CheckpointException>(() => Checkpoint.LoadDenoiser(path, otherData, device: CPU));
        Assert.Equal(CheckpointErrorKind.DataIdentityMismatch, mismatch.Kind);
        Assert.Contains("identity-a", mismatch.Message);

        var wider = config with { Model = config.Model with { BaseChannels = 16 } };
        using (var model = new UNet(wider.Model))
        using (var ema = new UNet(wider.Model))
        using (var optimizer = optim.AdamW(model.parameters()))
        {
            Assert.Equal(CheckpointErrorKind.ConfigMismatch, Assert.Throws<CheckpointException>(() => Checkpoint.Restore(path, wider, _data.Identity, model, ema, optimizer)).Kind);
        }

        // A different configuration in the same output directory is refused rather than silently retrained.
        Assert.Equal(CheckpointErrorKind.ConfigMismatch, Assert.Throws<CheckpointException>(() => new DiffusionTrainer(config with { LearningRate = 0.5 }, _data, dir, CPU)).Kind);

        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
        Assert.Equal(CheckpointErrorKind.Corrupt, Assert.Throws<CheckpointException>(() => Checkpoint.LoadDenoiser(path, device: CPU)).Kind);
    }

    [Fact]
    public void SmokeProfileLearnsAndSamplesClassConditionally()
    {
        var config = ModelProfiles.Get("smoke") with { TrainSteps = Steps };
        using var trainer = new DiffusionTrainer(config, _data, device: CPU);
        var (heldOutImages, heldOutLabels) = Squares(64, seed: 7);
        using (heldOutImages)
        using (heldOutLabels)
        using (var wrongLabels = (heldOutLabels + 5).remainder(10))
        {
            var before = DiffusionBenchmark.ValidationLoss(trainer.Model, trainer.Schedule, heldOutImages, heldOutLabels, CPU);
            var reports = new List<TrainingProgress>();
            trainer.Train(reports.Add);
            Assert.Equal(Steps, reports.Count);
            Assert.True(reports[^1].ImagesPerSecond > 0);
            // Held-out images (never trained on): the loss drops, and it is lower with the true labels than with wrong ones at the
            // same noise and timesteps, so the model uses its class input.
            var after = DiffusionBenchmark.ValidationLoss(trainer.Model, trainer.Schedule, heldOutImages, heldOutLabels, CPU);
            var wrong = DiffusionBenchmark.ValidationLoss(trainer.Model, trainer.Schedule, heldOutImages, wrongLabels, CPU);
            Assert.True(after < 0.8 * before, $"held-out loss {before:F3} -> {after:F3} did not drop by 20%");
            Assert.True(after < 0.9 * wrong, $"held-out loss with the true labels {after:F4} is not 10% below the loss with wrong labels {wrong:F4}");
        }

        // Samples of each requested class are nearest (in L2) to that class's clean square image.
        var requested = Enumerable.Range(0, 40).Select(i => (long)(i % 10)).ToArray();
        using var labels = tensor(requested);
        using var samples = new DdimSampler().Sample(
            trainer.EmaDenoiser(), [requested.Length, 1, 28, 28], Conditioning.Classes(labels), new Generator(1),
            new SamplingOptions { Steps = 8, GuidanceScale = 2.0, Device = CPU, ClipX0 = true });
        Assert.Equal(new long[] { requested.Length, 1, 28, 28 }, samples.shape);
        var (templates, _) = Squares(0, seed: 0, classes: Enumerable.Range(0, 10).Select(k => (long)k).ToArray());
        using (templates)
        {
            var drawn = cdist(samples.reshape(requested.Length, -1), templates.reshape(10, -1)).argmin(1).data<long>().ToArray();
            var correct = drawn.Zip(requested).Count(p => p.First == p.Second);
            // Chance is 4 of 40; 12 or more correct has a binomial tail probability below 0.001 under chance.
            Assert.True(correct >= 12, $"{correct} of {requested.Length} samples are nearest to the requested class's square (drawn {string.Join(",", drawn)})");
        }
    }
}
