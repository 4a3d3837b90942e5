using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CdmNotebooks.Composition;
using CdmNotebooks.Composition.Registry;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Evaluation;
using CdmNotebooks.Experiments;
using CdmNotebooks.IO;
using CdmNotebooks.Protection;
using CdmNotebooks.Reporting;
using CdmNotebooks.Runtime;
using static TorchSharp.torch;

namespace CdmNotebooks.Cli.Commands;

/// <summary>`cdm compose sample|bench`, `cdm attribute`, `cdm forget`, `cdm shard add`, `cdm router train`: registry-backed composition and data protection.</summary>
internal static class ComposeCommands
{
    public static IEnumerable<Command> Create()
    {
        var compose = new Command("compose", "Sample from a composition of registered shards (honouring a user's entitlements), or benchmark sparse composition.");
        compose.Subcommands.Add(Sample());
        compose.Subcommands.Add(Bench());
        yield return compose;
        yield return Attribute();
        yield return Forget();
        var shard = new Command("shard", "Shard registry maintenance.");
        shard.Subcommands.Add(AddShard());
        yield return shard;
        var router = new Command("router", "Trained routers of a registry.");
        router.Subcommands.Add(TrainRouter());
        yield return router;
    }

    private sealed class CompositionOptionsSet
    {
        public Option<string?> Registry { get; } = new("--registry") { Description = "Registry folder (default: $CDM_REGISTRY or <cache>/registry)." };
        public Option<string> Router { get; } = new("--router") { Description = $"Router kind: {RouterKindNames.AllNames}.", DefaultValueFactory = _ => RouterKind.Ito.Name() };
        public Option<string?> RouterName { get; } = new("--router-name") { Description = "Registered router (name or name@vN) for trained kinds; default: the only active one of the kind." };
        public Option<string[]> Shards { get; } = new("--shards") { Description = "Shard names (default: all active / all the router covers).", AllowMultipleArgumentsPerToken = true };
        public Option<string?> User { get; } = new("--user") { Description = "Compose for this user: only shards the policy entitles them to are opened." };
        public Option<string?> Policy { get; } = new("--policy") { Description = "Entitlements policy JSON (default: <registry>/entitlements.json)." };
        public Option<int> Count { get; } = new("--count") { Description = "Number of samples.", DefaultValueFactory = _ => 16 };
        public Option<int?> Class { get; } = new("--class") { Description = "Class label for every sample (default: classes 0..9 in turn)." };
        public Option<string> Sampler { get; } = new("--sampler") { Description = "ddpm (needed for Ito weights), ddim or dpm++2m.", DefaultValueFactory = _ => "ddpm" };
        public Option<int> Steps { get; } = new("--steps") { Description = "Sampling steps.", DefaultValueFactory = _ => 50 };
        public Option<int> Seed { get; } = new("--seed") { Description = "Noise seed.", DefaultValueFactory = _ => 0 };
        public Option<double> Threshold { get; } = new("--sparse-threshold") { Description = "Evaluate a shard for a sample only when its weight is at least this (0 = dense).", DefaultValueFactory = _ => 0 };
        public Option<int> TopK { get; } = new("--top-k") { Description = "Evaluate at most this many shards per sample (0 = all).", DefaultValueFactory = _ => 0 };
        public Option<string?> Device { get; } = new("--device") { Description = "cpu | cuda | cuda:N." };
        public Option<int> BatchSize { get; } = new("--batch-size") { Description = "Samples generated together (the noise is drawn batch by batch, so the images depend on it).", DefaultValueFactory = _ => 64 };

        /// <summary>Adds the options; <paramref name="routerChoice"/> false leaves out --router and --router-name (for commands that cover every kind).</summary>
        public void AddTo(Command command, bool routerChoice = true)
        {
            foreach (var option in new Option[] { Registry, Router, RouterName, Shards, User, Policy, Count, Class, Sampler, Steps, Seed, Threshold, TopK, Device, BatchSize })
            {
                if (routerChoice || (option != Router && option != RouterName))
                {
                    command.Options.Add(option);
                }
            }
        }

        public ShardRegistry OpenRegistry(ParseResult parse) => new(parse.GetValue(Registry) ?? ShardRegistry.DefaultRoot);

        public ComposedModel Compose(ParseResult parse, ShardRegistry registry, bool record, SparseSelection? sparsity = null, RouterKind? kind = null)
        {
            var device = TorchDevice.Resolve(parse.GetValue(Device));
            var user = parse.GetValue(User);
            var policyPath = parse.GetValue(Policy) ?? Path.Combine(registry.Root, "entitlements.json");
            var shards = parse.GetValue(Shards);
            var request = new CompositionRequest
            {
                RouterKind = kind ?? RouterKindNames.Parse(parse.GetValue(Router)!),
                Router = kind is null ? parse.GetValue(RouterName) : null,
                Seed = parse.GetValue(Seed),
                Shards = shards is { Length: > 0 } ? shards : null,
                User = user,
                Policy = user is null ? null : AccessPolicy.Load(policyPath),
                Options = new CompositionOptions(sparsity ?? new SparseSelection(parse.GetValue(Threshold), parse.GetValue(TopK)), record),
            };
            return new ShardStore(registry, device: device).Compose(request);
        }

        /// <summary>The requested class of each of the --count samples: --class, or classes 0..9 in turn.</summary>
        public long[] Classes(ParseResult parse, int? count = null) =>
            Enumerable.Range(0, count ?? parse.GetValue(Count)).Select(i => (long)(parse.GetValue(Class) ?? i % 10)).ToArray();

        /// <summary>
        /// Samples --count images in batches of --batch-size (one batch when <paramref name="oneBatch"/>: a recorded weight trajectory
        /// covers one batch). For a composition, also the shard and sample evaluations summed over every batch (the denoiser's own
        /// counters restart with each batch).
        /// </summary>
        public (Tensor Samples, long[] Classes, double Seconds, long ShardEvaluations, long SampleEvaluations) Run(
            ParseResult parse, IDenoiser denoiser, bool oneBatch = false, int? count = null, List<WeightTrajectory>? trajectories = null)
        {
            var classes = Classes(parse, count);
            var batchSize = oneBatch ? classes.Length : parse.GetValue(BatchSize);
            if (batchSize < 1)
            {
                throw new ArgumentException($"--batch-size must be at least 1 (got {batchSize}).");
            }

            using var noise = new Generator().manual_seed(parse.GetValue(Seed));
            var sampler = SamplerFactory.Create(parse.GetValue(Sampler)!);
            // Predicted x0 clipped to the data range, as the experiments and `cdm sample` do: without it a naive average of
            // disagreeing shards drifts far outside [-1, 1] (measured: [-20, 31] on by-class-8).
            var options = new SamplingOptions { Steps = parse.GetValue(Steps), Device = TorchDevice.Resolve(parse.GetValue(Device)), ClipX0 = true };
            var clock = Stopwatch.StartNew();
            var batches = new List<Tensor>();
            long shardEvaluations = 0, sampleEvaluations = 0;
            // Batches of 64 by default: one batch of 1,000 images ran ~5x slower per image than batches of 64 on 2 CPU cores.
            foreach (var chunk in classes.Chunk(batchSize))
            {
                using var labels = tensor(chunk, ScalarType.Int64);
                batches.Add(sampler.Sample(denoiser, [chunk.Length, 1, 28, 28], Conditioning.Classes(labels), noise, options));
                if (denoiser is ComposedDenoiser composed)
                {
                    shardEvaluations += composed.ShardEvaluations;
                    sampleEvaluations += composed.SampleEvaluations;
                    if (trajectories is not null && composed.Trajectory is { } trajectory)
                    {
                        trajectories.Add(trajectory);
                    }
                }
            }

            var samples = batches.Count == 1 ? batches[0] : cat(batches, 0);
            if (batches.Count > 1)
            {
                batches.ForEach(b => b.Dispose());
            }

            return (samples, classes, clock.Elapsed.TotalSeconds, shardEvaluations, sampleEvaluations);
        }
    }

    private static Command Sample()
    {
        var set = new CompositionOptionsSet();
        var output = new Option<string>("--out") { Description = "PNG grid to write.", DefaultValueFactory = _ => "compose-samples.png" };
        var samplesOut = new Option<string?>("--samples-out") { Description = "Also write the samples for `cdm eval` to this folder: samples.pt ([N,1,28,28] in [-1,1]) and classes.txt." };
        var command = new Command("sample", "Sample a class-conditional grid from registered shards. Example: cdm compose sample --router ito --user alice --count 20 --out alice.png");
        set.AddTo(command);
        command.Options.Add(output);
        command.Options.Add(samplesOut);
        command.SetAction(parse =>
        {
            var registry = set.OpenRegistry(parse);
            var model = set.Compose(parse, registry, record: false);
            var (samples, classes, seconds, shardEvaluations, _) = set.Run(parse, model.Denoiser);
            using (samples)
            {
                ImageGrid.SavePng(samples.cpu(), parse.GetValue(output)!, columns: 10);
                if (parse.GetValue(samplesOut) is { } folder)
                {
                    SampleImages.Save(folder, samples, classes);
                    Console.WriteLine($"wrote {folder}/samples.pt and classes.txt; evaluate with: cdm eval --samples {folder}/samples.pt --classes {folder}/classes.txt --dataset DATASET");
                }
            }

            var used = model.Shards.OfType<ShardManifest>().Select(s => s.Key);
            Console.WriteLine($"{model.RouterKind.Name()} composition of {string.Join(", ", used)}{(model.Router is null ? "" : $" (router {model.Router.Key})")}");
            Console.WriteLine($"{parse.GetValue(set.Count)} samples in {seconds:F1} s, {shardEvaluations} shard evaluations; wrote {parse.GetValue(output)}");
            return 0;
        });
        return command;
    }

    private static Command Attribute()
    {
        var set = new CompositionOptionsSet();
        var output = new Option<string>("--out") { Description = "CSV of per-sample credit (time-averaged and final-step weight per shard).", DefaultValueFactory = _ => "attribution.csv" };
        var curve = new Option<string>("--curve") { Description = "CSV of the batch-mean weight per shard at every step.", DefaultValueFactory = _ => "attribution-curve.csv" };
        var command = new Command("attribute", "Generate samples and credit each to shards from its weight trajectory. Example: cdm attribute --router ito --count 50");
        set.AddTo(command);
        command.Options.Add(output);
        command.Options.Add(curve);
        command.SetAction(parse =>
        {
            var registry = set.OpenRegistry(parse);
            var model = set.Compose(parse, registry, record: true);
            var (samples, classes, _, _, _) = set.Run(parse, model.Denoiser, oneBatch: true);
            samples.Dispose();
            var trajectory = model.Denoiser.Trajectory!;
            var credit = Attribution.PerSample(trajectory, classes.Length);
            var names = model.ShardNames;
            var inv = CultureInfo.InvariantCulture;
            var rows = new List<string> { "sample,class,credited," + string.Join(",", names.Select(n => $"avg:{n}").Concat(names.Select(n => $"final:{n}"))) };
            rows.AddRange(credit.Select(c => string.Join(",", new[] { c.Sample.ToString(inv), classes[c.Sample].ToString(inv), names[c.Credited] }
                .Concat(c.TimeAveraged.Concat(c.Final).Select(w => w.ToString("F5", inv))))));
            AtomicFile.WriteAllText(parse.GetValue(output)!, string.Join('\n', rows) + "\n");
            var aggregate = Attribution.Aggregate(trajectory, classes.Length);
            var curveRows = new List<string> { "step,timestep," + string.Join(",", names) };
            curveRows.AddRange(aggregate.Timesteps.Select((t, s) => $"{s},{t}," + string.Join(",", aggregate.MeanWeights[s].Select(w => w.ToString("F5", inv)))));
            AtomicFile.WriteAllText(parse.GetValue(curve)!, string.Join('\n', curveRows) + "\n");
            foreach (var group in credit.GroupBy(c => names[c.Credited]).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                Console.WriteLine($"{group.Key}: credited for {group.Count()} of {credit.Count} samples");
            }

            Console.WriteLine($"wrote {parse.GetValue(output)} and {parse.GetValue(curve)}");
            return 0;
        });
        return command;
    }

    private static Command Forget()
    {
        var registryOption = new Option<string?>("--registry") { Description = "Registry folder (default: $CDM_REGISTRY or <cache>/registry)." };
        var ids = new Option<string[]>("--ids") { Description = "Sample IDs to forget.", AllowMultipleArgumentsPerToken = true };
        var idsFile = new Option<string?>("--ids-file") { Description = "File with one sample ID per line." };
        var shard = new Option<string?>("--shard") { Description = "Forget a whole shard instead of sample IDs." };
        var user = new Option<string>("--user") { Description = "Who requests the deletion (recorded in the audit log).", Required = true };
        var profile = new Option<string>("--profile") { Description = "Training profile for retraining shards and routers (smoke, standard).", DefaultValueFactory = _ => "smoke" };
        var device = new Option<string?>("--device") { Description = "cpu | cuda | cuda:N." };
        var command = new Command("forget", "Forget sample IDs (retrain affected shards without them, update routers, retire old versions, audit) or a whole shard; then run the lineage check. " +
            "Example: cdm forget --ids fashion-mnist/train/000001 --user dpo")
        {
            registryOption, ids, idsFile, shard, user, profile, device,
        };
        command.SetAction(parse =>
        {
            var registry = new ShardRegistry(parse.GetValue(registryOption) ?? ShardRegistry.DefaultRoot);
            var requested = (parse.GetValue(ids) ?? []).Concat(parse.GetValue(idsFile) is { } file ? File.ReadAllLines(file).Where(l => l.Trim().Length > 0).Select(l => l.Trim()) : []).ToList();
            var shardName = parse.GetValue(shard);
            if ((requested.Count == 0) == (shardName is null))
            {
                throw new ArgumentException("Give either sample IDs (--ids / --ids-file) or --shard, not both and not neither.");
            }

            if (shardName is null)
            {
                ProtectionContext.RefuseFineTuned(registry);
            }

            using var context = ProtectionContext.Open(registry, parse.GetValue(profile)!, TorchDevice.Resolve(parse.GetValue(device)));
            var report = shardName is null
                ? context.Protection.ForgetSamples(parse.GetValue(user)!, requested)
                : context.Protection.ForgetShard(parse.GetValue(user)!, shardName);
            Print(report);
            var lineage = LineageCheck.Verify(registry);
            Console.WriteLine(lineage.Passed
                ? $"lineage check passed: {lineage.CheckedComponents.Count} active components, none trained on any of {lineage.ForgottenIds} forgotten IDs"
                : "lineage check FAILED:\n  " + string.Join("\n  ", lineage.Violations));
            return lineage.Passed ? 0 : 1;
        });
        return command;
    }

    private static Command AddShard()
    {
        var registryOption = new Option<string?>("--registry") { Description = "Registry folder (default: $CDM_REGISTRY or <cache>/registry)." };
        var split = new Option<string>("--split") { Description = "Split manifest name, e.g. fashion-mnist-by-class-8.", Required = true };
        var index = new Option<int[]>("--shard") { Description = "Shard index (or indices) within the split.", Required = true, AllowMultipleArgumentsPerToken = true };
        var user = new Option<string>("--user") { Description = "Who adds the shard (audit log).", DefaultValueFactory = _ => Environment.UserName };
        var profile = new Option<string>("--profile") { Description = "Training profile (smoke, standard).", DefaultValueFactory = _ => "smoke" };
        var checkpointEvery = new Option<int?>("--checkpoint-every")
        {
            Description = "Checkpoint every N optimizer steps (default: the profile's). Lower it on preemptible partitions: a killed or requeued run resumes from its newest checkpoint.",
        };
        var device = new Option<string?>("--device") { Description = "cpu | cuda | cuda:N." };
        var command = new Command("add", "Train a shard of a split and add it to the registry without retraining the others (routers updated per kind). " +
            "Running it again resumes an interrupted training, and does nothing for a shard already registered with the same data. " +
            "Example: cdm shard add --split fashion-mnist-by-class-8 --shard 0 1 2")
        {
            registryOption, split, index, user, profile, checkpointEvery, device,
        };
        command.SetAction((parse, cancellationToken) =>
        {
            var registry = new ShardRegistry(parse.GetValue(registryOption) ?? ShardRegistry.DefaultRoot);
            var manifest = ShardSplit.Load(parse.GetValue(split)!);
            var indices = parse.GetValue(index)!;
            var shardIds = indices.Select(manifest.IdsOfShard).ToList();
            if (parse.GetValue(checkpointEvery) is < 1)
            {
                throw new ArgumentException($"--checkpoint-every must be at least 1 (got {parse.GetValue(checkpointEvery)}).");
            }

            ProtectionContext.RefuseFineTuned(registry);
            using var context = ProtectionContext.Open(registry, parse.GetValue(profile)!, TorchDevice.Resolve(parse.GetValue(device)), manifest.Dataset,
                parse.GetValue(checkpointEvery), cancellationToken);
            foreach (var (i, ids) in indices.Zip(shardIds))
            {
                var name = $"{manifest.Name}.s{i}";
                // A re-run (a requeued cluster task that had already committed) finds its shard and has nothing to do; another shard of that name is refused below.
                if (registry.ActiveShards().FirstOrDefault(s => s.Name == name) is { } active && active.DataIdentity == DataIdentity.Of(ids))
                {
                    Console.WriteLine($"{active.Key} is already registered with the same {ids.Count} samples (data identity {active.DataIdentity[..16]}); nothing to do.");
                    continue;
                }

                Print(context.Protection.AddShard(parse.GetValue(user)!, name, manifest.Name, i, ids, cancellationToken));
            }

            return Task.FromResult(0);
        });
        return command;
    }

    private static Command TrainRouter()
    {
        var registryOption = new Option<string?>("--registry") { Description = "Registry folder (default: $CDM_REGISTRY or <cache>/registry)." };
        var kind = new Option<string>("--kind") { Description = "classifier or compartmentalized.", Required = true };
        var name = new Option<string?>("--name") { Description = "Router name (default: <first shard's split>.<kind>)." };
        var profile = new Option<string>("--profile") { Description = "Router size and training budget (smoke, standard).", DefaultValueFactory = _ => "smoke" };
        var device = new Option<string?>("--device") { Description = "cpu | cuda | cuda:N." };
        var user = new Option<string>("--user") { Description = "Who adds the router (audit log).", DefaultValueFactory = _ => Environment.UserName };
        var command = new Command("train", "Train and register a router over every active shard, with its lineage. Example: cdm router train --kind compartmentalized")
        {
            registryOption, kind, name, profile, device, user,
        };
        command.SetAction(parse =>
        {
            var registry = new ShardRegistry(parse.GetValue(registryOption) ?? ShardRegistry.DefaultRoot);
            var routerKind = RouterKindNames.Parse(parse.GetValue(kind)!);
            if (!routerKind.IsTrained())
            {
                throw new ArgumentException(
                    $"Router kind '{routerKind.Name()}' has nothing to train; cdm router train trains {RouterKind.Classifier.Name()} or {RouterKind.Compartmentalized.Name()} routers.");
            }

            if (registry.ActiveShards().Count == 0)
            {
                throw new InvalidOperationException($"The registry at '{registry.Root}' has no active shards; add some with cdm shard add.");
            }

            using var context = ProtectionContext.Open(registry, parse.GetValue(profile)!, TorchDevice.Resolve(parse.GetValue(device)));
            var routerName = parse.GetValue(name) ?? $"{registry.ActiveShards()[0].Split}.{routerKind.Name()}";
            var report = context.Store.AddRouter(parse.GetValue(user)!, routerName, routerKind);
            Print(report);
            Console.WriteLine($"registered {report.Record.Routers.Single().Split(" -> ")[1]} ({routerKind.Name()}, {registry.ActiveShards().Count} shards) in {report.Record.Seconds:F1} s");
            return 0;
        });
        return command;
    }

    /// <summary>One timed configuration of `cdm compose bench`: a denoiser, its timings and what its last timed run produced.</summary>
    private sealed class BenchEntry(string name, IDenoiser denoiser, bool recordTrajectories = false)
    {
        public string Name { get; } = name;

        public IDenoiser Denoiser { get; } = denoiser;

        public List<double> Seconds { get; } = [];

        public Tensor? Samples { get; set; }

        public double ShardsPerSampleStep { get; set; } = 1;

        /// <summary>Samples the router network ran on per sample-step in the last run (null: no router network).</summary>
        public double? RouterSamplesPerSampleStep { get; set; }

        public List<WeightTrajectory>? Trajectories { get; } = recordTrajectories ? [] : null;

        public double Median => Seconds.Order().ElementAt(Seconds.Count / 2);
    }

    private static Command Bench()
    {
        var set = new CompositionOptionsSet();
        var routers = new Option<string[]>("--routers")
        {
            Description = $"Router kinds to benchmark (default: every kind the registry can compose: {RouterKindNames.AllNames}; trained kinds need an active router).",
            AllowMultipleArgumentsPerToken = true,
        };
        var repeats = new Option<int>("--repeats") { Description = "Timed runs of each configuration, interleaved round by round after one untimed warm-up batch each (the median is reported).", DefaultValueFactory = _ => 3 };
        var fid = new Option<bool>("--fid") { Description = "Also score every configuration's samples: FID (CdmNet features) and conditional accuracy against the shards' dataset (test part); use --count of a few hundred or more." };
        var command = new Command("bench",
            "Wall time of composed sampling, dense and sparse, for every router kind (and the model soup where the shards allow one), divided by one shard model's sampling at equal steps and identical noise, " +
            "with shard evaluations per sample-step, router network samples per sample-step, the mean absolute difference of sparse vs dense samples, and how early Ito weights concentrate. " +
            "Example: cdm compose bench --sparse-threshold 0.01 --count 256 --steps 20 --repeats 3");
        set.AddTo(command, routerChoice: false);
        command.Options.Add(routers);
        command.Options.Add(repeats);
        command.Options.Add(fid);
        command.SetAction(parse =>
        {
            var rounds = parse.GetValue(repeats);
            if (rounds < 1)
            {
                throw new ArgumentException($"--repeats must be at least 1 (got {rounds}); the reported time is the median of the repeats.");
            }

            var sparseSelection = new SparseSelection(parse.GetValue(set.Threshold), parse.GetValue(set.TopK)).Validated();
            if (sparseSelection.IsDense)
            {
                throw new ArgumentException("Give --sparse-threshold and/or --top-k: the benchmark compares that sparse selection with dense evaluation.");
            }

            var registry = set.OpenRegistry(parse);
            var requested = parse.GetValue(routers) is { Length: > 0 } listed ? listed.Select(RouterKindNames.Parse).Distinct().ToList() : null;
            var activeKinds = registry.ActiveRouters().Select(r => r.Kind).ToHashSet();
            var kinds = requested ?? RouterKindNames.All.Where(k => !k.IsTrained() || activeKinds.Contains(k)).ToList();
            var skipped = RouterKindNames.All.Where(k => requested is null && !kinds.Contains(k)).ToList();
            var device = TorchDevice.Resolve(parse.GetValue(set.Device));

            var entries = new List<BenchEntry>();
            var pairs = new List<(RouterKind Kind, BenchEntry Dense, BenchEntry Sparse)>();
            ComposedModel? reference = null;
            foreach (var kind in kinds)
            {
                var dense = set.Compose(parse, registry, record: kind == RouterKind.Ito, SparseSelection.Dense, kind);
                var sparse = set.Compose(parse, registry, record: false, sparseSelection, kind);
                reference ??= dense;
                var pair = (kind, new BenchEntry($"{kind.Name()} dense", dense.Denoiser, kind == RouterKind.Ito), new BenchEntry($"{kind.Name()} sparse", sparse.Denoiser));
                pairs.Add(pair);
                entries.Add(pair.Item2);
                entries.Add(pair.Item3);
            }

            var shardManifests = reference!.Shards.OfType<ShardManifest>().ToList();
            var checkpoints = shardManifests.Select(m => registry.VerifiedPath(m.CheckpointFile, m.CheckpointSha256)).ToList();
            var single = new BenchEntry($"one model ({shardManifests[0].Name})", Checkpoint.LoadDenoiser(checkpoints[0], device: device));
            entries.Insert(0, single);
            var whyNoSoup = ModelSoup.WhyNot(checkpoints, checkpoints.Select(Checkpoint.ReadHeader).ToList());
            BenchEntry? soup = null;
            if (whyNoSoup is null)
            {
                soup = new BenchEntry("model soup", ModelSoup.Average(checkpoints, shardManifests.Select(m => (double)m.SampleCount).ToList(), device));
                entries.Add(soup);
            }

            // Untimed warm-up of one full batch per configuration (oneDNN creates primitives per input shape, so a smaller warm-up
            // batch would leave the timed runs' shapes cold), then interleaved rounds so slow drift of a shared machine hits every
            // configuration alike.
            var warmUp = Math.Min(parse.GetValue(set.Count), parse.GetValue(set.BatchSize));
            foreach (var entry in entries)
            {
                set.Run(parse, entry.Denoiser, count: warmUp).Samples.Dispose();
            }

            for (var round = 0; round < rounds; round++)
            {
                foreach (var entry in entries)
                {
                    var router = (entry.Denoiser as ComposedDenoiser)?.Router as PriorDecidedRouter;
                    var innerBefore = router?.InnerSamples ?? 0;
                    entry.Trajectories?.Clear();
                    entry.Samples?.Dispose();
                    var (samples, _, seconds, shardEvaluations, sampleEvaluations) = set.Run(parse, entry.Denoiser, trajectories: entry.Trajectories);
                    entry.Samples = samples;
                    entry.Seconds.Add(seconds);
                    entry.ShardsPerSampleStep = sampleEvaluations > 0 ? shardEvaluations / (double)sampleEvaluations : 1;
                    entry.RouterSamplesPerSampleStep = router is null || sampleEvaluations == 0 ? null : (router.InnerSamples - innerBefore) / (double)sampleEvaluations;
                }
            }

            var inv = CultureInfo.InvariantCulture;
            var count = parse.GetValue(set.Count);
            var steps = parse.GetValue(set.Steps);
            Console.WriteLine($"{reference.Mask.Allowed.Count(a => a)} shards ({shardManifests[0].Split}), {count} samples x {steps} {parse.GetValue(set.Sampler)} steps, batch {parse.GetValue(set.BatchSize)}, " +
                              $"sparse {sparseSelection}, medians of {rounds} interleaved runs after an untimed warm-up, device {device}");
            Console.WriteLine($"one model: {single.Median.ToString("F2", inv)} s (median; runs {string.Join(", ", single.Seconds.Select(x => x.ToString("F2", inv)))})");
            Console.WriteLine("| router | dense ratio to one model | dense shard evals per sample-step | sparse ratio to one model | sparse shard evals per sample-step | router network samples per sample-step (sparse) | mean abs(sparse - dense) per pixel | sparse <= 1.5x |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|");
            foreach (var (kind, dense, sparse) in pairs)
            {
                var mad = (sparse.Samples! - dense.Samples!).abs().mean().item<float>();
                var network = sparse.RouterSamplesPerSampleStep is { } n ? n.ToString("F2", inv) : "none";
                var ratio = sparse.Median / single.Median;
                Console.WriteLine($"| {kind.Name()} | {(dense.Median / single.Median).ToString("F2", inv)}x | {dense.ShardsPerSampleStep.ToString("F2", inv)} | {ratio.ToString("F2", inv)}x | " +
                                  $"{sparse.ShardsPerSampleStep.ToString("F2", inv)} | {network} | {mad.ToString("F4", inv)} | {(ratio <= 1.5 ? "yes" : "no")} |");
            }

            Console.WriteLine(soup is null
                ? $"model soup: not run ({whyNoSoup})"
                : $"| model soup | {(soup.Median / single.Median).ToString("F2", inv)}x | 1.00 (one network) | same | 1.00 | none | - | {(soup.Median / single.Median <= 1.5 ? "yes" : "no")} |");
            foreach (var kind in skipped.Select(RouterKindNames.Name))
            {
                Console.WriteLine($"{kind}: not run (the registry has no active {kind} router; cdm router train --kind {kind})");
            }

            foreach (var (kind, dense, _) in pairs.Where(p => p.Dense.Trajectories is { Count: > 0 }))
            {
                var audit = SparsityAudit.Of(dense.Trajectories!, sparseSelection.Threshold > 0 ? sparseSelection.Threshold : double.Epsilon);
                var at = new[] { 0.0, 0.1, 0.25, 0.5, 0.75, 1.0 }.Select(f => Math.Min(audit.ShardsPerStep.Count - 1, (int)Math.Round(f * (audit.ShardsPerStep.Count - 1)))).Distinct();
                Console.WriteLine($"{kind.Name()} weights along the dense paths, drop rule at threshold {audit.Threshold.ToString(inv)}: shards kept per sample at step " +
                                  string.Join(", ", at.Select(s => $"{s}: {audit.ShardsPerStep[s].ToString("F2", inv)}")) + $" (of {audit.ShardsPerStep.Count} steps)");
                var from1 = audit.ConcentratedFrom(1.0);
                var from105 = audit.ConcentratedFrom(1.05);
                Console.WriteLine($"  one shard per sample from step {(from1 < 0 ? "never" : from1.ToString(inv))}, at most 1.05 from step {(from105 < 0 ? "never" : from105.ToString(inv))}; " +
                                  $"dropped (sample, shard) pairs {audit.DroppedPairs}, whose dense weight came back to >= threshold: {audit.ReturnedAboveThreshold}, to >= 0.5: {audit.ReturnedAboveHalf}; " +
                                  $"dense weight of dropped shards (the eps of the bound): max {audit.MaxDroppedWeight.ToString("E2", inv)}, mean {audit.MeanDroppedWeight.ToString("E2", inv)}");
            }

            if (parse.GetValue(fid))
            {
                var dataset = ShardSplit.Load(shardManifests[0].Split).Dataset;
                var classesRequested = set.Classes(parse);
                using var extractor = new FeatureNetworkCache().GetOrTrain(dataset, log: Console.WriteLine);
                using var test = DatasetCatalog.Load(dataset, "test");
                var evaluator = new SampleEvaluator(extractor);
                var options = new EvaluationOptions(BootstrapResamples: 100, Seed: 0);
                var fids = new Dictionary<BenchEntry, double>();
                foreach (var entry in entries)
                {
                    using var onCpu = entry.Samples!.cpu();
                    var report = evaluator.Evaluate(onCpu, entry.Name, test, classesRequested, options);
                    fids[entry] = report.Fid.Value;
                    Console.WriteLine($"{entry.Name,-24} {report.FidLabel} {report.Fid.Value.ToString("F2", inv)} [{report.Fid.ConfidenceLow.ToString("F2", inv)}, {report.Fid.ConfidenceHigh.ToString("F2", inv)}], " +
                                      $"conditional accuracy {report.ConditionalAccuracy!.Accuracy.ToString("P1", inv)} ({dataset} test, {count} samples)");
                }

                foreach (var (kind, dense, sparse) in pairs)
                {
                    var change = 100 * (fids[sparse] - fids[dense]) / fids[dense];
                    Console.WriteLine($"{kind.Name()}: sparse vs dense FID {(change >= 0 ? "+" : "")}{change.ToString("F3", inv)} % (target: within 2 %)");
                }
            }

            foreach (var entry in entries)
            {
                entry.Samples?.Dispose();
            }

            return 0;
        });
        return command;
    }

    private static void Print(ProtectionReport report)
    {
        var record = report.Record;
        Console.WriteLine($"{record.Operation} by {record.Actor}: {record.Seconds:F1} s total (shards {report.ShardSeconds:F1} s, routers {report.RouterSeconds:F1} s)");
        foreach (var timing in report.Timings)
        {
            Console.WriteLine($"  {timing.Component,-40} {timing.Action,-36} {timing.Seconds,8:F1} s");
        }

        if (record.NotFoundIds.Count > 0)
        {
            Console.WriteLine($"  not in any active shard: {string.Join(", ", record.NotFoundIds)}");
        }
    }

    /// <summary>The data, trainer and router maintainer a protection command needs, built from a profile and the registry's dataset.</summary>
    private sealed class ProtectionContext : IDisposable
    {
        private readonly CdmPipeline _pipeline;

        private ProtectionContext(ShardRegistry registry, string profile, Device device, string dataset, int? checkpointEvery, CancellationToken cancellationToken)
        {
            // Shard trainings are cached inside the registry: a killed or requeued task that runs the same request again resumes from its
            // newest checkpoint there. Seeds are those of an experiment run with the default seed, so the CLI trains what the experiments train.
            var run = new ExperimentRun("registry", profile)
            {
                Models = new ModelCache(registry.TrainingRoot), Device = device, Cancellation = cancellationToken, Log = Console.WriteLine,
            };
            _pipeline = new CdmPipeline(run);
            var trainer = new ShardTrainer(_pipeline, recipe: checkpointEvery is int every ? c => c with { CheckpointEvery = every } : null);
            var scale = _pipeline.Scale;
            var routers = new RouterMaintainer(_pipeline.Train(dataset), _pipeline.Test(dataset), RouterReference.DefaultSeed, scale.Paragon.CreateSchedule(), scale.Router,
                scale.RouterTraining, device, log: Console.WriteLine);
            Store = new ShardStore(registry, trainer, routers, device);
        }

        public ShardStore Store { get; }

        public DataProtection Protection => Store.Protection;

        public static ProtectionContext Open(
            ShardRegistry registry, string profile, Device device, string? dataset = null, int? checkpointEvery = null, CancellationToken cancellationToken = default)
        {
            var split = registry.ActiveShards().FirstOrDefault()?.Split;
            var resolved = dataset ?? (split is null
                ? throw new InvalidOperationException($"The registry at '{registry.Root}' has no active shards to take the dataset from.")
                : ShardSplit.Load(split).Dataset);
            return new ProtectionContext(registry, profile, device, resolved, checkpointEvery, cancellationToken);
        }

        // cdm trains shards from scratch (forget and shard add call this first): retraining a fine-tuned shard from scratch would silently change its recipe, so it is refused.
        public static void RefuseFineTuned(ShardRegistry registry)
        {
            var tuned = registry.ActiveShards()
                .FirstOrDefault(s => s.Config is { ValueKind: System.Text.Json.JsonValueKind.Object } c && c.TryGetProperty("base", out var b) && b.ValueKind == System.Text.Json.JsonValueKind.Object);
            if (tuned is not null)
            {
                throw new InvalidOperationException(
                    $"Shard {tuned.Key} in '{registry.Root}' was fine-tuned from a base, and cdm trains shards from scratch only. Forget or add data in a fine-tuned " +
                    "registry through the experiment that built it (cdm reproduce forgetting retrains the affected shard from the same base), or build a scratch registry with cdm shard add.");
            }
        }

        public void Dispose() => _pipeline.Dispose();
    }
}
