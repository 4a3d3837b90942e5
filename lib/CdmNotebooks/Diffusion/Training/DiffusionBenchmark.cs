using System.Diagnostics;
using CdmNotebooks.Runtime;
using static TorchSharp.torch;

namespace CdmNotebooks.Diffusion;

/// <summary>Measures matmul FLOP/s and a profile's training and sampling throughput on this machine, in one run (not a timed test).</summary>
public static class DiffusionBenchmark
{
    /// <summary>Single-precision FLOP/s of a square matmul of size <paramref name="size"/> (best of <paramref name="repeats"/>).</summary>
    public static double MatmulFlopsPerSecond(int size = 1024, int repeats = 10, Device? device = null)
    {
        using var scope = NewDisposeScope();
        var d = device ?? TorchDevice.Default;
        var a = randn([size, size], device: d);
        var b = randn([size, size], device: d);
        a.matmul(b).Dispose(); // warm-up
        var best = double.MaxValue;
        for (var i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            a.matmul(b).Dispose();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }

        return 2.0 * size * size * size / best;
    }

    /// <summary>Measures the configuration's training steps/s on synthetic data and its sampling images/s (DDIM, <paramref name="sampleSteps"/> steps).</summary>
    public static BenchmarkResult Run(
        TrainingConfig config, double matmulFlops, int trainSteps = 5, int sampleBatch = 64, int sampleSteps = 20, Device? device = null)
    {
        var d = device ?? TorchDevice.Default;
        using var scope = NewDisposeScope();
        var size = config.Model.ImageSize;
        using var imageNoise = new Generator(1);
        using var labelNoise = new Generator(2);
        var images = rand([512, config.Model.ImageChannels, size, size], generator: imageNoise) * 2 - 1;
        var labels = randint(10, [512], generator: labelNoise, dtype: ScalarType.Int64);
        var data = new TrainingData(images, labels, new TrainingDataIdentity("synthetic", "benchmark", "all", "none"));
        using var trainer = new DiffusionTrainer(config with { TrainSteps = trainSteps + 1 }, data, device: d);
        trainer.TrainStep(); // warm-up: oneDNN picks kernels on first use
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < trainSteps; i++)
        {
            trainer.TrainStep();
        }

        var trainImagesPerSecond = trainSteps * config.BatchSize / clock.Elapsed.TotalSeconds;
        var denoiser = trainer.EmaDenoiser();
        var sampler = new DdimSampler();
        var options = new SamplingOptions { Steps = sampleSteps, Device = d };
        var sampleLabels = config.Model.ClassCount > 0 ? Conditioning.Classes(zeros(sampleBatch, ScalarType.Int64, d)) : Conditioning.None;
        using var warmUpNoise = new Generator(3);
        using var sampleNoise = new Generator(3);
        sampler.Sample(denoiser, [1, config.Model.ImageChannels, size, size], sampleLabels.Slice(0, 1), warmUpNoise, options with { Steps = 2 });
        clock.Restart();
        sampler.Sample(denoiser, [sampleBatch, config.Model.ImageChannels, size, size], sampleLabels, sampleNoise, options);
        var sampleImagesPerSecond = sampleBatch / clock.Elapsed.TotalSeconds;
        return new BenchmarkResult(
            config.Profile, trainer.Model.ParameterCount, trainer.Model.ForwardFlopsPerSample, config.BatchSize, trainImagesPerSecond,
            trainImagesPerSecond * trainer.TrainFlopsPerImage, sampleBatch, sampleSteps, sampleImagesPerSecond, matmulFlops);
    }

    /// <summary>Trains <paramref name="config"/> for <paramref name="cpuSeconds"/> of process CPU time (fair under a shared machine) and returns steps done and the held-out denoising loss.</summary>
    public static (int Steps, double ValidationLoss) QualityPerCpuTime(
        TrainingConfig config, TrainingData train, Tensor validationImages, Tensor validationLabels, double cpuSeconds, Device? device = null)
    {
        var d = device ?? TorchDevice.Default;
        using var trainer = new DiffusionTrainer(config with { TrainSteps = int.MaxValue / 2 }, train, device: d);
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var start = process.TotalProcessorTime;
        while ((process.TotalProcessorTime - start).TotalSeconds < cpuSeconds)
        {
            trainer.Train(untilStep: trainer.Step + 1);
            process.Refresh();
        }

        return (trainer.Step, ValidationLoss(trainer.Model, trainer.Schedule, validationImages, validationLabels, d));
    }

    /// <summary>Mean squared error of the network's training target on fixed (t, noise) draws over held-out images: lower is a better denoiser.</summary>
    public static double ValidationLoss(UNet model, NoiseSchedule schedule, Tensor images, Tensor labels, Device device, long seed = 1234)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var wasTraining = model.training;
        model.eval();
        var converter = new PredictionConverter(schedule);
        using var generator = new Generator((ulong)seed);
        var n = images.shape[0];
        var t = randint(schedule.Steps, [n], generator: generator, dtype: ScalarType.Int64).to(device);
        var eps = randn(images.shape, generator: generator).to(device);
        var x0 = images.to(device);
        var output = model.Forward(converter.AddNoise(x0, t, eps), t, model.Config.ClassCount > 0 ? labels.to(device) : null, null);
        var loss = nn.functional.mse_loss(output, converter.Target(model.Config.Prediction, x0, t, eps)).item<float>();
        model.train(wasTraining);
        return loss;
    }
}
