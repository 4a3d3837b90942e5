using System.CommandLine;
using System.Diagnostics;
using CdmNotebooks.Data;
using CdmNotebooks.Evaluation;
using static TorchSharp.torch;

namespace CdmNotebooks.Cli.Commands;

/// <summary>`cdm eval` (FID/KID/conditional accuracy, real-vs-real floor, benchmark) and `cdm features train` (CdmNet feature networks).</summary>
internal static class EvalCommands
{
    public static IEnumerable<Command> Create()
    {
        yield return CreateEval();
        yield return CreateFeatures();
    }

    private static Option<string?> CacheOption() =>
        new("--cache-dir") { Description = "Feature-network cache (default: $CDM_CACHE/features or <repo>/.cdm-cache/features)." };

    private static Command CreateFeatures()
    {
        var dataset = new Option<string>("--dataset") { Description = "fashion-mnist, mnist10k or union (20-way: domain * 10 + class).", Required = true };
        var seed = new Option<int>("--seed") { Description = "Training seed (part of the cache key).", DefaultValueFactory = _ => 0 };
        var cache = CacheOption();
        var threads = new Option<int>("--threads") { Description = "Torch CPU threads (0 = libtorch default); 1 wastes less CPU on a shared, oversubscribed machine.", DefaultValueFactory = _ => 0 };
        var train = new Command("train",
            "Train the CdmNet feature network of a dataset on its train part, score it on the test part, and cache weights + manifest. " +
            "Reuses the cached network when its manifest matches. Example: cdm features train --dataset fashion-mnist")
        {
            dataset, seed, cache, threads,
        };
        train.SetAction(parse =>
        {
            if (parse.GetValue(threads) > 0)
            {
                set_num_threads(parse.GetValue(threads));
            }

            var store = new FeatureNetworkCache(parse.GetValue(cache));
            var config = CdmNetConfig.ForDataset(parse.GetValue(dataset)!, parse.GetValue(seed));
            using var extractor = store.GetOrTrain(config, Console.WriteLine);
            var manifest = store.ReadManifest(config);
            Console.WriteLine(
                $"{extractor.Name}: held-out accuracy {manifest.HeldOutAccuracy:P2} on {manifest.HeldOutCount} {config.Dataset}/test images " +
                $"(trained on {manifest.TrainCount}, {manifest.TrainSeconds:F0} s, seed {config.Seed})");
            Console.WriteLine($"manifest: {Path.Combine(store.FolderOf(config), "manifest.json")}");
            return 0;
        });
        var features = new Command("features", $"Feature networks behind \"{FeatureNetworkCache.MetricName}\": train and cache them.");
        features.Subcommands.Add(train);
        return features;
    }

    private static Command CreateEval()
    {
        var samples = new Option<string?>("--samples") { Description = "Generated samples: a TorchSharp tensor file (.pt, [N,1,28,28] in [-1,1]) or a folder of 28x28 PNGs." };
        var dataset = new Option<string>("--dataset") { Description = "Reference dataset (and feature network): fashion-mnist, mnist10k or union.", DefaultValueFactory = _ => "fashion-mnist" };
        var part = new Option<string>("--part") { Description = "Reference part: test (default) or train.", DefaultValueFactory = _ => "test" };
        var classes = new Option<string?>("--classes") { Description = "Text file with the requested class of each sample, one per line (enables conditional accuracy)." };
        var realFloor = new Option<bool>("--real-floor") { Description = "Report the real-vs-real floor: a random train subset as large as the test part vs the test part." };
        var bench = new Option<bool>("--bench") { Description = "Benchmark: feature extraction + FID for 10k vs 10k images (target < 30 s)." };
        var bootstrap = new Option<int>("--bootstrap") { Description = "FID bootstrap resamples for the confidence interval (0 = none).", DefaultValueFactory = _ => 100 };
        var seed = new Option<int>("--seed") { Description = "Seed of the bootstrap, KID subsets and real-floor subset.", DefaultValueFactory = _ => 0 };
        var cache = CacheOption();
        var command = new Command("eval",
            $"Compute {FeatureNetworkCache.MetricName}, KID and conditional accuracy of generated samples against a dataset part. " +
            "Values are comparable within this project only, not with Inception FID in papers. Examples: " +
            "cdm eval --samples runs/x/samples.pt --classes runs/x/classes.txt --dataset fashion-mnist; cdm eval --real-floor --dataset mnist10k; cdm eval --bench")
        {
            samples, dataset, part, classes, realFloor, bench, bootstrap, seed, cache,
        };
        command.SetAction(parse =>
        {
            var store = new FeatureNetworkCache(parse.GetValue(cache));
            var name = parse.GetValue(dataset)!;
            if (parse.GetValue(bench))
            {
                return Benchmark(store);
            }

            var options = new EvaluationOptions(BootstrapResamples: parse.GetValue(bootstrap), Seed: parse.GetValue(seed));
            if (parse.GetValue(realFloor))
            {
                using var train = DatasetCatalog.Load(name, "train");
                using var test = DatasetCatalog.Load(name, "test");
                using var floorExtractor = store.GetOrTrain(name, log: Console.WriteLine);
                Print(new SampleEvaluator(floorExtractor).RealFloor(train, test, options));
                return 0;
            }

            // Every input is read before the feature network trains, so a wrong path fails in a second, not after a minute of training.
            var path = parse.GetValue(samples)
                       ?? throw new ArgumentException("Pass --samples <file.pt or PNG folder>, or --real-floor, or --bench.");
            using var images = SampleImages.Load(path);
            var requested = parse.GetValue(classes) is { } classesPath ? SampleImages.LoadClasses(classesPath) : null;
            using var reference = DatasetCatalog.Load(name, parse.GetValue(part)!);
            using var extractor = store.GetOrTrain(name, log: Console.WriteLine);
            Print(new SampleEvaluator(extractor).Evaluate(images, path, reference, requested, options));
            return 0;
        });
        return command;
    }

    private static void Print(EvaluationReport report)
    {
        Console.WriteLine($"samples:   {report.Samples} ({report.SampleCount} images)");
        Console.WriteLine($"reference: {report.Reference} ({report.ReferenceCount} images)");
        var fid = report.Fid;
        var interval = fid.BootstrapResamples > 0
            ? $"  [{fid.ConfidenceLevel:P0} bootstrap CI {fid.ConfidenceLow:F3} .. {fid.ConfidenceHigh:F3}, {fid.BootstrapResamples} resamples]"
            : "";
        Console.WriteLine($"{report.FidLabel}: {fid.Value:F3}{interval}");
        Console.WriteLine($"{report.KidLabel}: {report.Kid.Value:F5} ± {report.Kid.StandardError:F5} (s.e.; std {report.Kid.StandardDeviation:F5} over {report.Kid.Subsets} subsets of {report.Kid.SubsetSize})");
        if (report.ConditionalAccuracy is { } accuracy)
        {
            Console.WriteLine($"conditional accuracy ({report.FeatureSpace}): {accuracy.Accuracy:P2} ± {accuracy.StandardError:P2} ({accuracy.Correct}/{accuracy.Count})");
        }

        Console.WriteLine($"time: {report.Seconds:F1} s");
    }

    private static int Benchmark(FeatureNetworkCache store)
    {
        using var extractor = store.GetOrTrain("fashion-mnist", log: Console.WriteLine);
        using var train = DatasetCatalog.Load("fashion-mnist", "train");
        using var test = DatasetCatalog.Load("fashion-mnist", "test");
        using var subset = train.Subset(Enumerable.Range(0, test.Count).ToArray());
        Console.WriteLine($"benchmark: {extractor.Name}, {subset.Count} vs {test.Count} images, {get_num_threads()} torch threads");
        // Process CPU time is printed beside wall time: on a shared machine wall time mostly measures the other load.
        var process = Process.GetCurrentProcess();
        var cpuStart = process.TotalProcessorTime;
        var total = Stopwatch.StartNew();
        var watch = Stopwatch.StartNew();
        using var a = extractor.Extract(subset.Images);
        using var b = extractor.Extract(test.Images);
        var extraction = watch.Elapsed.TotalSeconds;
        process.Refresh();
        var extractionCpu = (process.TotalProcessorTime - cpuStart).TotalSeconds;
        watch.Restart();
        var fid = Fid.Compute(a.Features, b.Features);
        var fidSeconds = watch.Elapsed.TotalSeconds;
        var seconds = total.Elapsed.TotalSeconds;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuStart).TotalSeconds;
        Console.WriteLine($"feature extraction (2 x 10k): {extraction:F2} s wall, {extractionCpu:F2} s CPU");
        Console.WriteLine($"FID (float64 statistics + matrix sqrt): {fidSeconds:F2} s wall  (value {fid:F3})");
        Console.WriteLine($"total: {seconds:F2} s wall = {seconds / 30.0:P0} of the 30 s target; {cpu:F2} s CPU over {Environment.ProcessorCount} cores " +
                          $"(>= {cpu / Environment.ProcessorCount:F1} s wall even on an idle machine); extraction is {extraction / seconds:P0} of the wall time");
        return seconds < 30 ? 0 : 1;
    }
}
