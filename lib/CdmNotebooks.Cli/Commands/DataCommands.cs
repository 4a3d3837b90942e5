using System.CommandLine;
using System.Diagnostics;
using CdmNotebooks.Data;
using CdmNotebooks.IO;

namespace CdmNotebooks.Cli.Commands;

/// <summary>`cdm data check` and `cdm split`: dataset verification and shard split manifests.</summary>
internal static class DataCommands
{
    public static IEnumerable<Command> Create()
    {
        yield return CreateData();
        yield return CreateSplit();
    }

    private static Command CreateData()
    {
        var data = new Command("data", "Datasets: verify that the installed files are present and match their committed manifests.");
        var check = new Command("check",
            "Verify Fashion-MNIST and MNIST-10k against data-manifests/datasets/*.json: every file present, sha256 of its decompressed " +
            "content, IDX/JSON structure and sample counts. Exit code 1 if anything is wrong, with the fix printed per file.");
        check.SetAction(_ =>
        {
            var failures = 0;
            foreach (var dataset in new[] { "fashion-mnist", "mnist10k" })
            {
                var watch = Stopwatch.StartNew();
                var results = CliProgress.Run($"checking {dataset}", () => DatasetCatalog.Check(dataset));
                foreach (var result in results)
                {
                    Console.WriteLine($"  [{(result.Ok ? "ok" : "FAIL")}] {dataset} {result.Role,-13} {result.Detail}" + (result.Ok ? "" : $"\n         {result.Path}"));
                    failures += result.Ok ? 0 : 1;
                }

                if (results.All(r => r.Ok))
                {
                    using var test = DatasetCatalog.Load(dataset, "test");
                    using var train = DatasetCatalog.Load(dataset, "train");
                    Console.WriteLine($"{dataset}: verified ({train.Count} train, {test.Count} test images) in {watch.Elapsed.TotalSeconds:F1} s");
                }
            }

            Console.WriteLine(failures == 0 ? "All datasets verified." : $"{failures} file(s) failed verification; see the messages above.");
            return failures == 0 ? 0 : 1;
        });
        data.Subcommands.Add(check);
        return data;
    }

    private static Command CreateSplit()
    {
        var dataset = new Option<string>("--dataset") { Description = "fashion-mnist, mnist10k or union (digits + fashion, for by-domain)." };
        var scheme = new Option<string>("--scheme") { Description = "uniform | by-class | by-domain | dirichlet:<alpha>, e.g. dirichlet:0.5.", DefaultValueFactory = _ => "uniform" };
        var shards = new Option<int>("--shards") { Description = "Number of shards.", DefaultValueFactory = _ => 8 };
        var seed = new Option<int>("--seed") { Description = "Seed of the explicit PRNG.", DefaultValueFactory = _ => ShardSplit.DefaultSeed };
        var output = new Option<string?>("--out") { Description = "Folder to write NAME.csv and NAME.summary.json (default: data-manifests/splits)." };
        var canonical = new Option<bool>("--canonical") { Description = "Write the canonical splits the experiments use and the MNIST-10k held-out list." };
        var verify = new Option<bool>("--verify") { Description = "Regenerate every committed split (and the MNIST-10k held-out list) from its seed and check it is byte-identical." };
        var command = new Command("split",
            "Create a deterministic shard split of a dataset's training part as a manifest (sample_id -> shard) plus a summary " +
            "(counts per shard and class, sha256 data identity per shard). Examples: cdm split --dataset fashion-mnist --scheme by-class --shards 8; " +
            "cdm split --verify")
        {
            dataset, scheme, shards, seed, output, canonical, verify,
        };
        command.SetAction(parse =>
        {
            if (parse.GetValue(verify))
            {
                return Verify();
            }

            if (parse.GetValue(canonical))
            {
                WriteHeldOut();
                foreach (var (d, s, n) in SplitCatalog.Canonical)
                {
                    Write(SplitCatalog.Create(d, s, n), null);
                }

                return 0;
            }

            var name = parse.GetValue(dataset);
            if (string.IsNullOrEmpty(name))
            {
                Console.Error.WriteLine("cdm split: --dataset is required (fashion-mnist, mnist10k or union), or use --canonical / --verify.");
                return 2;
            }

            Write(SplitCatalog.Create(name, SplitScheme.Parse(parse.GetValue(scheme)!), parse.GetValue(shards), parse.GetValue(seed)), parse.GetValue(output));
            return 0;
        });
        return command;
    }

    private static void Write(ShardSplit split, string? directory)
    {
        var (csv, summary) = split.Save(directory);
        Console.WriteLine($"{split.Name}: {split.Ids.Count} samples in {split.ShardCount} shards -> {csv}, {summary}");
        for (var s = 0; s < split.ShardCount; s++)
        {
            Console.WriteLine($"  shard {s}: {split.IdsOfShard(s).Count,6} samples, classes [{string.Join(" ", split.ClassCounts(s))}], identity {split.DataIdentity(s)[..12]}");
        }
    }

    private static void WriteHeldOut()
    {
        var path = Path.Combine(RepositoryPaths.Manifests, "datasets", Mnist10kHeldOut.FileName);
        AtomicFile.WriteAllText(path, HeldOutText());
        Console.WriteLine($"MNIST-10k held-out list -> {path}");
        var publicPath = Path.Combine(RepositoryPaths.Manifests, "datasets", FashionMnistPublicPart.FileName);
        AtomicFile.WriteAllText(publicPath, PublicPartText());
        Console.WriteLine($"Fashion-MNIST public part -> {publicPath}");
    }

    private static string PublicPartText()
    {
        using var train = DatasetCatalog.Load("fashion-mnist", "train");
        return FashionMnistPublicPart.Generate(train.Labels, FashionMnistPublicPart.PerClass, ShardSplit.DefaultSeed);
    }

    private static string HeldOutText()
    {
        var manifest = DatasetManifest.Load("mnist10k", RepositoryPaths.Manifests);
        return Mnist10kHeldOut.Generate(Enumerable.Range(0, 10).Select(d => manifest.FileFor($"digit-{d}").Count).ToArray(), 100, ShardSplit.DefaultSeed);
    }

    private static int Verify()
    {
        var failures = 0;
        var heldOutPath = Path.Combine(RepositoryPaths.Manifests, "datasets", Mnist10kHeldOut.FileName);
        var heldOutOk = File.Exists(heldOutPath) && File.ReadAllText(heldOutPath) == HeldOutText();
        Console.WriteLine($"  [{(heldOutOk ? "ok" : "FAIL")}] {Mnist10kHeldOut.FileName} regenerates identically");
        failures += heldOutOk ? 0 : 1;
        var publicPath = Path.Combine(RepositoryPaths.Manifests, "datasets", FashionMnistPublicPart.FileName);
        var publicOk = File.Exists(publicPath) && File.ReadAllText(publicPath) == PublicPartText();
        Console.WriteLine($"  [{(publicOk ? "ok" : "FAIL")}] {FashionMnistPublicPart.FileName} regenerates identically");
        failures += publicOk ? 0 : 1;
        var directory = Path.Combine(RepositoryPaths.Manifests, "splits");
        foreach (var summary in Directory.GetFiles(directory, "*.summary.json").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(summary)[..^".summary.json".Length];
            var ok = CliProgress.Run($"regenerating {name}", () => SplitCatalog.RegeneratesIdentically(name));
            Console.WriteLine($"  [{(ok ? "ok" : "FAIL")}] {name} regenerates byte-identically from its seed");
            failures += ok ? 0 : 1;
        }

        Console.WriteLine(failures == 0 ? "All committed splits regenerate identically." : $"{failures} manifest(s) differ from their regeneration.");
        return failures == 0 ? 0 : 1;
    }
}
