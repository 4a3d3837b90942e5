using System.CommandLine;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Runtime;
using static TorchSharp.torch;

namespace CdmNotebooks.Cli.Commands;

/// <summary>`cdm train`, `cdm sample` and `cdm bench`: one shard's training as an independent process, image grids from checkpoints, throughput.</summary>
internal static class TrainCommands
{
    public static IEnumerable<Command> Create()
    {
        yield return Bench();
    }

    private static Command Bench()
    {
        var profiles = new Option<string[]>("--profile") { Description = "Profiles to measure (smoke, standard, paper).", DefaultValueFactory = _ => ["smoke", "standard"], AllowMultipleArgumentsPerToken = true };
        var trainSteps = new Option<int>("--train-steps") { Description = "Measured training steps per profile (after one warm-up step).", DefaultValueFactory = _ => 5 };
        var sampleBatch = new Option<int>("--sample-batch") { Description = "Sampling batch size.", DefaultValueFactory = _ => 64 };
        var sampleSteps = new Option<int>("--sample-steps") { Description = "DDIM steps per sample.", DefaultValueFactory = _ => 20 };
        var device = new Option<string?>("--device") { Description = $"cpu | cuda | cuda:N (default: {TorchDevice.EnvironmentVariable} or cuda if available, else cpu)." };
        var qualitySeconds = new Option<double>("--quality-cpu-seconds") { Description = "Also train each width for this much process CPU time on Fashion-MNIST and report held-out denoising loss (0 = skip)." };
        var widths = new Option<int[]>("--widths") { Description = "Base channel widths of the standard architecture compared by --quality-cpu-seconds.", DefaultValueFactory = _ => [16, 24, 32], AllowMultipleArgumentsPerToken = true };
        var command = new Command("bench", "Measure matmul FLOP/s and each profile's training and sampling images/s and FLOP fraction on this machine.")
        {
            profiles, trainSteps, sampleBatch, sampleSteps, device, qualitySeconds, widths,
        };
        command.SetAction(parse =>
        {
            var d = TorchDevice.Resolve(parse.GetValue(device));
            if (parse.GetValue(qualitySeconds) > 0)
            {
                CompareWidths(parse.GetValue(widths)!, parse.GetValue(qualitySeconds), d);
                return 0;
            }

            Console.WriteLine($"device {d.type}, torch threads {get_num_threads()}");
            var matmul = DiffusionBenchmark.MatmulFlopsPerSecond(device: d);
            Console.WriteLine($"matmul fp32 1024x1024: {matmul / 1e9:F1} GFLOP/s");
            Console.WriteLine("profile    params   fwd MFLOP/img  train batch  train img/s  train GFLOP/s  fraction  sample batch x steps  sample img/s");
            foreach (var name in parse.GetValue(profiles)!)
            {
                var r = DiffusionBenchmark.Run(ModelProfiles.Get(name), matmul, parse.GetValue(trainSteps), parse.GetValue(sampleBatch), parse.GetValue(sampleSteps), d);
                Console.WriteLine(
                    $"{r.Profile,-9} {r.Parameters,8:N0} {r.ForwardFlopsPerImage / 1e6,14:F1} {r.TrainBatch,12} {r.TrainImagesPerSecond,12:F1} " +
                    $"{r.TrainFlopsPerSecond / 1e9,14:F2} {r.TrainFlopFraction,9:P1} {r.SampleBatch,13} x {r.SampleSteps,-5} {r.SampleImagesPerSecond,13:F2}");
            }

            return 0;
        });
        return command;
    }

    private static void CompareWidths(int[] widths, double cpuSeconds, Device device)
    {
        using var train = TrainingDataSource.Load("fashion-mnist", TrainingDataSource.NoSplit, TrainingDataSource.AllShards);
        using var test = CdmNotebooks.Data.DatasetCatalog.Load("fashion-mnist", "test");
        using var validationImages = test.Images.narrow(0, 0, 1000);
        using var allLabels = test.LabelTensor();
        using var validationLabels = allLabels.narrow(0, 0, 1000);
        Console.WriteLine($"quality per CPU time: standard architecture at each width, {cpuSeconds} s process CPU, held-out loss on 1000 Fashion-MNIST test images");
        Console.WriteLine("width  params     fwd MFLOP/img  steps  images  held-out loss");
        foreach (var width in widths)
        {
            var standard = ModelProfiles.Get("standard");
            var config = standard with { Model = standard.Model with { BaseChannels = width } };
            var (steps, loss) = DiffusionBenchmark.QualityPerCpuTime(config, train, validationImages, validationLabels, cpuSeconds, device);
            using var probe = new UNet(config.Model);
            Console.WriteLine($"{width,5} {probe.ParameterCount,9:N0} {probe.ForwardFlopsPerSample / 1e6,14:F1} {steps,6} {steps * config.BatchSize,7} {loss,14:F4}");
        }
    }
}
