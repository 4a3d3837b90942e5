using System.CommandLine;
using CdmNotebooks.Cluster;
using CdmNotebooks.Composition;
using CdmNotebooks.Composition.Registry;
using CdmNotebooks.Data;

namespace CdmNotebooks.Cli.Commands;

/// <summary>`cdm cluster submit|status`: a split's shards as one Slurm array job into a shared registry, then routers and samples in a dependent job.</summary>
internal static class ClusterCommands
{
    public static IEnumerable<Command> Create()
    {
        var cluster = new Command("cluster", "Train a split's shards in parallel on a Slurm cluster (one array task per shard) and compose them when all are in.");
        cluster.Subcommands.Add(Submit());
        cluster.Subcommands.Add(Status());
        yield return cluster;
    }

    private static Command Submit()
    {
        var split = new Option<string>("--split") { Description = "Split manifest name, e.g. fashion-mnist-by-class-8.", Required = true };
        var shards = new Option<int[]>("--shards") { Description = "Shard indices to train (default: every shard of the split).", AllowMultipleArgumentsPerToken = true };
        var registry = new Option<string?>("--registry") { Description = "Registry folder on storage every node sees (default: $CDM_REGISTRY or <cache>/registry)." };
        var jobDir = new Option<string?>("--job-dir") { Description = "Folder for the scripts, logs, samples and submission record (default: <registry>/cluster/<split>)." };
        var profile = new Option<string>("--profile") { Description = "Training profile of shards and routers (smoke, standard, paper).", DefaultValueFactory = _ => "standard" };
        var partition = new Option<string?>("--partition") { Description = "Slurm partition (default: the cluster's default)." };
        var account = new Option<string?>("--account") { Description = "Slurm account to charge (default: yours)." };
        var time = new Option<string>("--time") { Description = "Time limit per task and for the compose job (sbatch format, e.g. 02:00:00).", DefaultValueFactory = _ => "02:00:00" };
        var cpus = new Option<int>("--cpus-per-task") { Description = "CPUs per task; torch runs exactly that many threads.", DefaultValueFactory = _ => 2 };
        var memory = new Option<string?>("--mem") { Description = "Memory per task (sbatch format, e.g. 8G; default: the partition's)." };
        var gpus = new Option<int>("--gpus-per-task") { Description = "GPUs per task; above 0 the tasks train with --device cuda (needs the CUDA build of TorchSharp, see the README).", DefaultValueFactory = _ => 0 };
        var checkpointEvery = new Option<int?>("--checkpoint-every") { Description = "Checkpoint interval in steps (default: the profile's); a requeued task resumes from its newest checkpoint." };
        var routers = new Option<string[]>("--router-kinds")
        {
            Description = "Routers the compose job trains after all shards (classifier, compartmentalized); none: sample with Ito weights, which need no training.",
            AllowMultipleArgumentsPerToken = true,
            DefaultValueFactory = _ => [RouterKind.Classifier.Name()],
        };
        var samples = new Option<int>("--samples") { Description = "Samples the compose job draws from the composition.", DefaultValueFactory = _ => 100 };
        var noEval = new Option<bool>("--no-eval") { Description = "Do not score the samples with cdm eval." };
        var sbatchOptions = new Option<string[]>("--sbatch-option") { Description = "An extra sbatch option for both scripts, as sbatch takes it (repeatable), e.g. --sbatch-option=--qos=long." };
        var user = new Option<string>("--user") { Description = "Who adds the shards (audit log).", DefaultValueFactory = _ => Environment.UserName };
        var dryRun = new Option<bool>("--dry-run") { Description = "Write the scripts and print them; submit nothing." };
        var command = new Command("submit",
            "Write the sbatch scripts for a split and submit them: one array task per shard runs cdm shard add into the shared registry; a job that starts " +
            "after every task succeeded trains the routers, samples the composition and scores it. Prints the job IDs. " +
            "Example: cdm cluster submit --split fashion-mnist-by-class-8 --registry /shared/reg --partition cpu --time 01:00:00")
        {
            split, shards, registry, jobDir, profile, partition, account, time, cpus, memory, gpus, checkpointEvery, routers, samples, noEval, sbatchOptions, user, dryRun,
        };
        command.SetAction(parse =>
        {
            var manifest = ShardSplit.Load(parse.GetValue(split)!);
            var registryRoot = Path.GetFullPath(parse.GetValue(registry) ?? ShardRegistry.DefaultRoot);
            var kinds = parse.GetValue(routers)!;
            var spec = new ClusterJobSpec
            {
                Split = manifest.Name,
                Dataset = manifest.Dataset,
                Shards = parse.GetValue(shards) is { Length: > 0 } chosen ? chosen : Enumerable.Range(0, manifest.ShardCount).ToArray(),
                Registry = registryRoot,
                JobDirectory = Path.GetFullPath(parse.GetValue(jobDir) ?? Path.Combine(registryRoot, "cluster", manifest.Name)),
                Home = RepositoryPaths.Root,
                Cdm = ThisCdm(),
                Profile = ExperimentProfile(parse.GetValue(profile)!),
                Partition = parse.GetValue(partition),
                Account = parse.GetValue(account),
                Time = parse.GetValue(time)!,
                CpusPerTask = parse.GetValue(cpus),
                Memory = parse.GetValue(memory),
                GpusPerTask = parse.GetValue(gpus),
                CheckpointEvery = parse.GetValue(checkpointEvery),
                RouterKinds = kinds is ["none"] ? [] : kinds.Select(RouterKindNames.Parse).ToList(),
                SampleCount = parse.GetValue(samples),
                Evaluate = !parse.GetValue(noEval),
                User = parse.GetValue(user)!,
                ExtraSbatchOptions = parse.GetValue(sbatchOptions) ?? [],
            };
            spec.Validate(manifest.ShardCount);
            if (parse.GetValue(dryRun))
            {
                var (shardsScript, composeScript) = ClusterSubmission.WriteScripts(spec);
                foreach (var script in new[] { shardsScript, composeScript })
                {
                    Console.WriteLine($"==> {script}");
                    Console.Write(File.ReadAllText(script));
                }

                Console.WriteLine($"dry run: nothing submitted. Submit by hand with: id=$(sbatch --parsable {shardsScript}) && sbatch --dependency=afterok:$id --kill-on-invalid-dep=yes {composeScript}");
                return 0;
            }

            var submission = ClusterSubmission.Submit(spec, new SlurmClient());
            Console.WriteLine($"submitted shards of {spec.Split} as array job {submission.ShardsJobId} (tasks {spec.ArraySpec})");
            Console.WriteLine($"submitted routers + composition as job {submission.ComposeJobId} (afterok:{submission.ShardsJobId})");
            Console.WriteLine($"logs: {Path.Combine(spec.JobDirectory, "logs")}");
            Console.WriteLine($"watch: cdm cluster status --job-dir {spec.JobDirectory}");
            return 0;
        });
        return command;
    }

    private static Command Status()
    {
        var jobDir = new Option<string?>("--job-dir") { Description = "The submission's job folder (default: <registry>/cluster/<split>)." };
        var registry = new Option<string?>("--registry") { Description = "Registry folder (with --split, to find the default job folder)." };
        var split = new Option<string?>("--split") { Description = "Split name (with --registry, to find the default job folder)." };
        var command = new Command("status",
            "Show which shards of a submission are registered, pending, running or failed (with the failure's log line), the compose job and the active routers. " +
            "Exit code 1 if anything failed. Example: cdm cluster status --job-dir /shared/reg/cluster/fashion-mnist-by-class-8")
        {
            jobDir, registry, split,
        };
        command.SetAction(parse =>
        {
            var folder = parse.GetValue(jobDir) ?? (parse.GetValue(split) is { } name
                ? Path.Combine(parse.GetValue(registry) ?? ShardRegistry.DefaultRoot, "cluster", name)
                : throw new ArgumentException("Give --job-dir, or --split (and --registry unless it is the default) to find the submission."));
            var status = ClusterStatus.Read(ClusterSubmission.Load(Path.GetFullPath(folder)), new SlurmClient());
            var submission = status.Submission;
            Console.WriteLine($"{submission.Spec.Split}: array job {submission.ShardsJobId}, compose job {submission.ComposeJobId}, submitted {submission.SubmittedUtc:u}");
            foreach (var shard in status.Shards)
            {
                Console.WriteLine($"  {shard.Name,-36} {shard.State.ToString().ToLowerInvariant(),-10} {shard.Detail}");
            }

            var registered = status.Shards.Count(s => s.State == ClusterShardState.Registered);
            Console.WriteLine($"  {registered}/{status.Shards.Count} shards registered");
            Console.WriteLine($"compose job {submission.ComposeJobId}: {status.Compose}");
            foreach (var router in status.Routers)
            {
                Console.WriteLine($"  router {router.Key} ({router.Kind.Name()}) over {router.ShardNames.Count} shards, {router.CreatedUtc:u}");
            }

            return status.HasFailures ? CliFailure.CheckFailed : CliFailure.Success;
        });
        return command;
    }

    // The compute nodes run this very build: the same dotnet host and cdm.dll, by absolute path.
    private static IReadOnlyList<string> ThisCdm()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "cdm.dll");
        var host = Environment.ProcessPath ?? "dotnet";
        return Path.GetFileNameWithoutExtension(host) == "dotnet" ? [host, dll] : [host];
    }

    // Checked here, not on the nodes: a wrong profile would otherwise fail every task after it waited in the queue.
    private static string ExperimentProfile(string profile)
    {
        Experiments.ExperimentScale.For(profile);
        return profile;
    }
}
