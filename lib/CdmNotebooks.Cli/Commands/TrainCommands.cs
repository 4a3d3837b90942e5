using System.CommandLine;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Evaluation;
using CdmNotebooks.Runtime;
using static TorchSharp.torch;

namespace CdmNotebooks.Cli.Commands;

/// <summary>`cdm train`, `cdm sample` and `cdm bench`: one shard's training as an independent process, image grids from checkpoints, throughput.</summary>
internal static class TrainCommands
{
    public static IEnumerable<Command> Create()
    {
        yield return Train();
        yield return Sample();
        yield return Bench();
    }

    private static Command Train()
    {
        var dataset = new Option<string>("--dataset") { Description = "fashion-mnist | mnist10k | union.", Required = true };
        var split = new Option<string>("--split") { Description = $"Split name (e.g. fashion-mnist-uniform-8), or '{TrainingDataSource.NoSplit}' for the whole train part.", DefaultValueFactory = _ => TrainingDataSource.NoSplit };
        var shard = new Option<string>("--shard") { Description = "Shard index K, or 'all' (the union/paragon model).", DefaultValueFactory = _ => TrainingDataSource.AllShards };
        var profile = new Option<string>("--profile") { Description = "smoke | standard | paper.", DefaultValueFactory = _ => "standard" };
        var output = new Option<string>("--out") { Description = "Output directory; checkpoints go here and training resumes from the newest valid one.", Required = true };
        var seed = new Option<long>("--seed") { Description = "Run seed (initialization and every per-step draw).", DefaultValueFactory = _ => 1 };
        var steps = new Option<int?>("--steps") { Description = "Override the profile's number of training steps." };
        var baseOption = new Option<string?>("--base")
        {
            Description = "Fine-tune from this base: a checkpoint file or a training output directory (its newest checkpoint). The base's EMA weights " +
                          "start the model; its architecture, prediction kind and schedule must match the profile's; its training IDs must be disjoint from this shard's.",
        };
        var learningRate = new Option<double?>("--learning-rate") { Description = "Override the profile's peak learning rate (fine-tuning usually wants a smaller one)." };
        var minSnr = new Option<double?>("--min-snr-gamma") { Description = "min-SNR-gamma loss weighting (Hang et al. 2023; 5 is their choice; 0 = off)." };
        var decay = new Option<string?>("--lr-decay") { Description = "Learning-rate schedule after warm-up: constant or cosine (to 0 at the last step)." };
        var device = DeviceOption();
        var command = new Command("train", "Train one diffusion model on one shard as an independent process; resumes after being killed. " +
            "Example (fine-tune a shard from a base): cdm train --dataset mnist10k --split mnist10k-by-class-8 --shard 3 --base runs/base --learning-rate 1e-3 --out runs/s3")
        {
            dataset, split, shard, profile, output, seed, steps, baseOption, learningRate, minSnr, decay, device,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var d = TorchDevice.Resolve(parse.GetValue(device));
            var config = ModelProfiles.Get(parse.GetValue(profile)!, seed: parse.GetValue(seed));
            if (parse.GetValue(steps) is int s)
            {
                config = config with { TrainSteps = s };
            }

            config = config with
            {
                LearningRate = parse.GetValue(learningRate) ?? config.LearningRate,
                MinSnrGamma = parse.GetValue(minSnr) ?? config.MinSnrGamma,
                LearningRateDecay = parse.GetValue(decay) ?? config.LearningRateDecay,
            };
            var basePath = parse.GetValue(baseOption) is { } b ? NewestCheckpoint(b) : null;
            if (basePath is not null)
            {
                var header = Checkpoint.ReadHeader(basePath);
                var ids = TrainingDataSource.Ids(parse.GetValue(dataset)!, parse.GetValue(split)!, parse.GetValue(shard)!);
                BaseLineage.CheckDisjoint(TrainingDataSource.Ids(header.Data.Dataset, header.Data.Split, header.Data.Shard), ids, $"The base {basePath} (trained on {header.Data})", "this model");
                config = config with { Base = BaseLineage.Of(header) };
                Console.WriteLine($"fine-tuning from {basePath} (step {header.Step}, data {header.Data})");
            }

            var outDir = parse.GetValue(output)!;
            using var data = TrainingDataSource.Load(parse.GetValue(dataset)!, parse.GetValue(split)!, parse.GetValue(shard)!);
            Console.WriteLine($"training {config.Profile} on {data.Identity} ({data.Count:N0} images) on {d.type}, {get_num_threads()} threads -> {outDir}");
            Directory.CreateDirectory(outDir);
            CdmNotebooks.IO.AtomicFile.WriteAllText(Path.Combine(outDir, "config.json"), System.Text.Json.JsonSerializer.Serialize(config, Checkpoint.JsonOptions));
            using var trainer = new DiffusionTrainer(config, data, outDir, d, Console.WriteLine, basePath);
            Console.WriteLine($"UNet {trainer.Model.ParameterCount:N0} parameters, {trainer.Model.ForwardFlopsPerSample / 1e6:F1} MFLOP forward per image; starting at step {trainer.Step}/{config.TrainSteps}");
            using var bar = new ShellProgressBar.ProgressBar(config.TrainSteps, "training", new ShellProgressBar.ProgressBarOptions { ProgressCharacter = '-', DisplayTimeInRealTime = false });
            bar.Tick(trainer.Step);
            trainer.Train(p => bar.Tick(p.Step,
                $"step {p.Step}/{p.TotalSteps}  loss {p.Loss:F4}  {p.ImagesPerSecond:F1} img/s  ETA {p.EstimatedRemaining:hh\\:mm\\:ss}"), cancellationToken);
            Console.WriteLine($"done: {trainer.LatestCheckpoint}");
            return Task.FromResult(0);
        });
        return command;
    }

    // A checkpoint file as given, or the newest checkpoint of a training output directory.
    private static string NewestCheckpoint(string path) =>
        !Directory.Exists(path)
            ? path
            : Checkpoint.List(path).FirstOrDefault()
              ?? throw new CheckpointException(CheckpointErrorKind.Missing, path, "The directory holds no step-*.cdmckpt checkpoint.");

    private static Command Sample()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "Checkpoint file, or a training output directory (its newest checkpoint).", Required = true };
        var classes = new Option<long[]>("--classes") { Description = "Class of each grid row (-1 = unconditional).", DefaultValueFactory = _ => [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], AllowMultipleArgumentsPerToken = true };
        var perClass = new Option<int>("--per-class") { Description = "Samples per class (grid columns).", DefaultValueFactory = _ => 8 };
        var guidance = new Option<double>("--guidance") { Description = "Classifier-free guidance scale (1 = none).", DefaultValueFactory = _ => 2.0 };
        var sampler = new Option<string>("--sampler") { Description = string.Join(" | ", SamplerFactory.Names), DefaultValueFactory = _ => "ddim" };
        var eta = new Option<double>("--eta") { Description = "DDIM stochasticity (0 = deterministic).", DefaultValueFactory = _ => 0.0 };
        var stepCount = new Option<int>("--steps") { Description = "Sampling steps.", DefaultValueFactory = _ => 50 };
        var seed = new Option<ulong>("--seed") { Description = "Noise seed.", DefaultValueFactory = _ => 1UL };
        var raw = new Option<bool>("--raw-weights") { Description = "Use the raw weights instead of the EMA." };
        var output = new Option<string>("--out") { Description = "PNG file to write.", DefaultValueFactory = _ => "grid.png" };
        var batchSize = new Option<int>("--batch-size") { Description = "Images sampled together (memory and speed; the images depend on it, because each batch draws its noise in turn).", DefaultValueFactory = _ => 64 };
        var samplesOut = new Option<string?>("--samples-out") { Description = "Also write the samples for `cdm eval` to this folder: samples.pt ([N,1,H,W] in [-1,1]) and classes.txt." };
        var device = DeviceOption();
        var command = new Command("sample", "Write an image grid PNG sampled from a checkpoint (one row per class). Example: cdm sample --checkpoint runs/fm --per-class 100 --samples-out runs/fm/samples, then cdm eval --samples runs/fm/samples/samples.pt --classes runs/fm/samples/classes.txt")
        {
            checkpoint, classes, perClass, guidance, sampler, eta, stepCount, seed, raw, output, samplesOut, batchSize, device,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var d = TorchDevice.Resolve(parse.GetValue(device));
            var path = NewestCheckpoint(parse.GetValue(checkpoint)!);

            var denoiser = Checkpoint.LoadDenoiser(path, useEma: !parse.GetValue(raw), device: d);
            var n = parse.GetValue(perClass);
            var labelList = parse.GetValue(classes)!.SelectMany(c => Enumerable.Repeat(c, n)).ToArray();
            var options = new SamplingOptions { Steps = parse.GetValue(stepCount), GuidanceScale = parse.GetValue(guidance), Device = d, ClipX0 = true };
            using var noise = new Generator(parse.GetValue(seed));
            var chosen = SamplerFactory.Create(parse.GetValue(sampler)!, parse.GetValue(eta));
            var size = denoiser.Network.Config.ImageSize;
            var batches = new List<Tensor>();
            // Batches of --batch-size: one batch of 1,000 images ran ~5x slower per image than batches of 64 on 2 CPU cores (cache misses).
            foreach (var chunk in labelList.Chunk(Math.Max(1, parse.GetValue(batchSize))))
            {
                using var labels = tensor(chunk, ScalarType.Int64, d);
                batches.Add(chosen.Sample(denoiser, [chunk.Length, 1, size, size], Conditioning.Classes(labels), noise, options, cancellationToken));
            }

            using var images = cat(batches, 0);
            batches.ForEach(b => b.Dispose());
            CdmNotebooks.Reporting.ImageGrid.SavePng(images, parse.GetValue(output)!, columns: n);
            Console.WriteLine($"wrote {parse.GetValue(output)} ({labelList.Length} samples from {path})");
            if (parse.GetValue(samplesOut) is { } folder)
            {
                SampleImages.Save(folder, images, labelList);
                Console.WriteLine($"wrote {folder}/samples.pt and classes.txt; evaluate with: cdm eval --samples {folder}/samples.pt --classes {folder}/classes.txt");
            }

            return Task.FromResult(0);
        });
        return command;
    }

    private static Option<string?> DeviceOption() =>
        new("--device") { Description = $"cpu | cuda | cuda:N (default: {TorchDevice.EnvironmentVariable}, else cuda if available, else cpu)." };

    private static Command Bench()
    {
        var profiles = new Option<string[]>("--profile") { Description = "Profiles to measure (smoke, standard, paper).", DefaultValueFactory = _ => ["smoke", "standard"], AllowMultipleArgumentsPerToken = true };
        var trainSteps = new Option<int>("--train-steps") { Description = "Measured training steps per profile (after one warm-up step).", DefaultValueFactory = _ => 5 };
        var sampleBatch = new Option<int>("--sample-batch") { Description = "Sampling batch size.", DefaultValueFactory = _ => 64 };
        var sampleSteps = new Option<int>("--sample-steps") { Description = "DDIM steps per sample.", DefaultValueFactory = _ => 20 };
        var device = DeviceOption();
        var qualitySeconds = new Option<double>("--quality-cpu-seconds") { Description = "Also train each width (and batch size) for this much process CPU time on --quality-dataset and report held-out denoising loss (0 = skip)." };
        var widths = new Option<int[]>("--widths") { Description = "Base channel widths of the standard architecture compared by --quality-cpu-seconds.", DefaultValueFactory = _ => [16, 24, 32], AllowMultipleArgumentsPerToken = true };
        var batches = new Option<int[]>("--batches") { Description = "Training batch sizes compared by --quality-cpu-seconds (each width at each batch size).", DefaultValueFactory = _ => [64], AllowMultipleArgumentsPerToken = true };
        var qualityDataset = new Option<string>("--quality-dataset") { Description = "Dataset whose train part --quality-cpu-seconds trains on and whose test part scores it (fashion-mnist | mnist10k).", DefaultValueFactory = _ => "fashion-mnist" };
        var onednnCheck = new Option<int>("--onednn-check") { Description = "Instead: compare this many oneDNN forward+backward calls per standard-UNet convolution shape with libtorch's own kernels (non-finite and wrong results)." };
        var command = new Command("bench", "Measure matmul FLOP/s and each profile's training and sampling images/s and FLOP fraction on this machine.")
        {
            profiles, trainSteps, sampleBatch, sampleSteps, device, qualitySeconds, widths, batches, qualityDataset, onednnCheck,
        };
        command.SetAction(parse =>
        {
            var d = TorchDevice.Resolve(parse.GetValue(device));
            if (parse.GetValue(onednnCheck) > 0)
            {
                CheckOneDnn(parse.GetValue(onednnCheck));
                return 0;
            }

            if (parse.GetValue(qualitySeconds) > 0)
            {
                CompareQualityPerCpuTime(parse.GetValue(qualityDataset)!, parse.GetValue(widths)!, parse.GetValue(batches)!, parse.GetValue(qualitySeconds), d);
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

    private static void CheckOneDnn(int calls)
    {
        Console.WriteLine($"oneDNN mode {TorchRuntime.OneDnnMode}, torch threads {get_num_threads()}; {calls} calls per shape, batch 64, tolerance {OneDnnCheck.Tolerance:G} relative");
        Console.WriteLine("shape                      calls  non-finite  wrong  worst relative error");
        var results = OneDnnCheck.Run(OneDnnCheck.StandardUNetShapes, calls, progress: r =>
            Console.WriteLine($"{r.Shape.Name,-26} {r.Calls,5} {r.NonFiniteCalls,11} {r.WrongCalls,6} {r.WorstRelativeError,21:E2}"));
        Console.WriteLine($"total: {results.Sum(r => r.NonFiniteCalls)} non-finite and {results.Sum(r => r.WrongCalls)} wrong of {results.Sum(r => r.Calls)} calls");
        var unet = OneDnnCheck.RunUNet(calls);
        Console.WriteLine($"{unet.Shape.Name,-26} {unet.Calls,5} {unet.NonFiniteCalls,11} {unet.WrongCalls,6} {unet.WorstRelativeError,21:E2}  (output and every parameter gradient)");
    }

    private static void CompareQualityPerCpuTime(string dataset, int[] widths, int[] batches, double cpuSeconds, Device device)
    {
        if (batches.Any(b => b < 1) || widths.Any(w => w < 1))
        {
            throw new ArgumentException($"--widths and --batches must be positive; got widths {string.Join(",", widths)}, batches {string.Join(",", batches)}.");
        }

        using var train = TrainingDataSource.Load(dataset, TrainingDataSource.NoSplit, TrainingDataSource.AllShards);
        using var test = CdmNotebooks.Data.DatasetCatalog.Load(dataset, "test");
        var count = Math.Min(1000, test.Count);
        using var validationImages = test.Images.narrow(0, 0, count);
        using var allLabels = test.LabelTensor();
        using var validationLabels = allLabels.narrow(0, 0, count);
        Console.WriteLine($"quality per CPU time: standard architecture, {cpuSeconds} s process CPU per configuration, held-out loss on {count} {dataset} test images");
        Console.WriteLine("width  batch  params     fwd MFLOP/img  steps  images  held-out loss");
        var standard = ModelProfiles.Get("standard");
        foreach (var width in widths)
        {
            foreach (var batch in batches)
            {
                var config = standard with { Model = standard.Model with { BaseChannels = width }, BatchSize = batch };
                var (steps, loss) = DiffusionBenchmark.QualityPerCpuTime(config, train, validationImages, validationLabels, cpuSeconds, device);
                using var probe = new UNet(config.Model);
                Console.WriteLine($"{width,5} {batch,6} {probe.ParameterCount,9:N0} {probe.ForwardFlopsPerSample / 1e6,14:F1} {steps,6} {steps * batch,7} {loss,14:F4}");
            }
        }
    }
}
