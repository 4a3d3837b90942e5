using CdmNotebooks.Composition.Registry;
using CdmNotebooks.Tests.Protection;

namespace CdmNotebooks.Tests.Cli;

/// <summary>
/// Every `cdm` command given bad input (a wrong option, a missing or malformed file, a refused request) exits with its documented
/// code (2 bad input, 1 a failed check) and one plain message naming the problem, never a stack trace unless --verbose is given.
/// </summary>
public sealed class CliBadInputTests : IClassFixture<CliBadInputTests.Files>
{
    private readonly Files _files;

    public CliBadInputTests(Files files) => _files = files;

    /// <summary>Each case: what is wrong, the command line ({tmp} = a scratch folder, {reg} = a registry of shards a, b, c with a policy), extra environment, exit code, a fragment of the message.</summary>
    public static TheoryData<string, string, string, int, string> Cases => new()
    {
        { "missing required options", "shard add", "", 2, "Option '--split' is required" },
        { "unknown option value", "train --dataset mnist10k --profile bogus --out {tmp}/x", "", 2, "Unknown profile 'bogus'" },
        { "unknown experiment", "reproduce nosuch", "", 2, "Unknown experiment 'nosuch'" },
        { "a block Table 1 does not measure", "reproduce table1 --profile smoke --regime fine-tuned:nosuch --results {tmp}/results", "", 2, "No Table 1 block of the smoke profile is named 'fine-tuned:nosuch'. Its blocks: fine-tuned:fashion-mnist, scratch" },
        { "unknown split scheme", "split --dataset fashion-mnist --scheme nosuch --shards 8", "", 2, "Unknown split scheme 'nosuch'" },
        { "checkpoint folder without checkpoints", "sample --checkpoint {tmp}/nothing", "", 2, "holds no step-" },
        { "truncated checkpoint", "sample --checkpoint {tmp}/corrupt-checkpoint", "", 2, "Not a CdmNotebooks checkpoint or truncated" },
        { "samples file missing", "eval --samples {tmp}/none.pt --dataset mnist10k", "", 2, "not found" },
        { "user not in the access policy", "compose sample --registry {reg} --router ito --user mallory --out {tmp}/m.png", "", 2, "'mallory'" },
        { "shard the user is not entitled to", "compose sample --registry {reg} --router ito --user alice --shards c --out {tmp}/a.png", "", 2, "not entitled" },
        { "malformed policy JSON", "compose sample --registry {reg} --router ito --user alice --policy {tmp}/bad-policy.json --out {tmp}/a.png", "", 2, "not a valid AccessPolicy" },
        { "torn registry index", "compose sample --registry {tmp}/torn-registry --router ito --out {tmp}/t.png", "", 2, "index.json" },
        { "unknown router kind to benchmark", "compose bench --registry {reg} --routers bogus --sparse-threshold 0.01", "", 2, "Unknown router kind 'bogus'" },
        { "benchmark without repeats", "compose bench --registry {reg} --repeats 0 --sparse-threshold 0.01", "", 2, "--repeats must be at least 1" },
        { "benchmark without a sparse selection", "compose bench --registry {reg}", "", 2, "Give --sparse-threshold" },
        { "benchmark of a router kind the registry has not trained", "compose bench --registry {reg} --routers classifier --sparse-threshold 0.01", "", 2, "no active classifier router" },
        { "random pick needs no router training", "router train --registry {reg} --kind random-pick", "", 2, "random-pick" },
        { "empty registry", "router train --registry {tmp}/empty-registry --kind classifier", "", 2, "no active shards" },
        { "unknown router kind", "router train --registry {reg} --kind bogus", "", 2, "bogus" },
        { "forget with neither IDs nor shard", "forget --registry {reg} --user dpo", "", 2, "Give either sample IDs" },
        { "malformed registry lock timeout", "forget --registry {reg} --user dpo --ids g/a/001", "CDM_REGISTRY_LOCK_TIMEOUT=soon", 2, "CDM_REGISTRY_LOCK_TIMEOUT='soon' is not a positive number of seconds" },
        { "unknown split", "shard add --registry {tmp}/empty-registry --split nosuch --shard 0", "", 2, "Split 'nosuch' not found" },
        { "malformed split manifest", "shard add --registry {tmp}/empty-registry --split broken --shard 0", "CDM_HOME={tmp}/fake-repo", 2, "broken" },
        { "shard index outside the split", "shard add --registry {tmp}/empty-registry --split mnist10k-uniform-8 --shard 8", "", 2, "has shards 0..7; got 8" },
        { "checkpoint interval below one", "shard add --registry {tmp}/empty-registry --split mnist10k-uniform-8 --shard 0 --checkpoint-every 0", "", 2, "--checkpoint-every must be at least 1" },
        { "cluster time limit sbatch would refuse", "cluster submit --split mnist10k-uniform-8 --registry {tmp}/c --time 2h --dry-run", "", 2, "--time '2h' is not a Slurm time limit" },
        { "cluster shard outside the split", "cluster submit --split mnist10k-uniform-8 --registry {tmp}/c --shards 3 9 --dry-run", "", 2, "--shards 9 is not a shard of mnist10k-uniform-8" },
        { "cluster router kind without weights", "cluster submit --split mnist10k-uniform-8 --registry {tmp}/c --router-kinds ito --dry-run", "", 2, "--router-kinds ito" },
        { "cluster profile unknown", "cluster submit --split mnist10k-uniform-8 --registry {tmp}/c --profile huge --dry-run", "", 2, "Unknown profile 'huge'" },
        { "cluster submit without Slurm on PATH", "cluster submit --split mnist10k-uniform-8 --registry {tmp}/c", "PATH={tmp}/no-slurm", 2, "sbatch was not found on PATH" },
        { "cluster status of a folder nothing was submitted from", "cluster status --job-dir {tmp}/empty-registry", "", 2, "nothing was submitted from this job folder" },
        { "dataset folder with garbage files", "train --dataset fashion-mnist --profile smoke --steps 1 --out {tmp}/g", "CDM_FASHION_MNIST_DIR={tmp}/garbage-dataset", 2, "train-images" },
        { "dataset folder empty: the data check fails", "data check", "CDM_FASHION_MNIST_DIR={tmp}/empty-dataset", 1, "" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void BadInputExitsWithItsCodeAndOnePlainMessage(string what, string arguments, string environment, int expectedCode, string fragment)
    {
        var (code, stdout, stderr) = Run(arguments, environment);
        var all = stdout + stderr;
        Assert.True(code == expectedCode, $"{what}: exit code {code}, expected {expectedCode}\n{all}");
        Assert.DoesNotContain("Unhandled exception", all, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", all, StringComparison.Ordinal);
        if (expectedCode == 2)
        {
            Assert.Contains(fragment, stderr, StringComparison.Ordinal);
            Assert.StartsWith("cdm: ", stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void VerboseAddsTheStackTraceToTheSameMessageAndCode()
    {
        var arguments = "compose sample --registry {reg} --router ito --user mallory --out {tmp}/m.png";
        var (plainCode, _, plain) = Run(arguments, "");
        var (verboseCode, _, verbose) = Run(arguments + " --verbose", "");
        Assert.Equal(2, plainCode);
        Assert.Equal(2, verboseCode);
        Assert.StartsWith(plain.Split('\n')[0], verbose, StringComparison.Ordinal);
        Assert.Contains("   at ", verbose, StringComparison.Ordinal);
    }

    private (int Code, string Stdout, string Stderr) Run(string arguments, string environment)
    {
        string Expand(string s) => s.Replace("{tmp}", _files.Root, StringComparison.Ordinal).Replace("{reg}", _files.Registry, StringComparison.Ordinal);
        var variables = environment.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(a => a[..a.IndexOf('=')], a => Expand(a[(a.IndexOf('=') + 1)..]));
        return CliProcess.Run(arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Expand), _files.Root, variables);
    }

    /// <summary>The bad files every case reads, made once: a corrupt checkpoint, a malformed policy, a torn registry index, a malformed split, garbage and empty dataset folders, and a registry of three shards with an access policy.</summary>
    public sealed class Files : IDisposable
    {
        private readonly GaussianRegistryFixture _fixture = new();

        public Files()
        {
            Root = Directory.CreateTempSubdirectory("cdm-cli-bad-input-").FullName;
            Registry = _fixture.Root;
            new AccessPolicy(
                new Dictionary<string, IReadOnlyList<string>> { ["public"] = ["a"] },
                new Dictionary<string, UserGrant> { ["alice"] = new(["public"], ["b"]) }).Save(Path.Combine(Registry, "entitlements.json"));
            Directory.CreateDirectory(Path.Combine(Root, "nothing"));
            Directory.CreateDirectory(Path.Combine(Root, "corrupt-checkpoint"));
            File.WriteAllText(Path.Combine(Root, "corrupt-checkpoint", "step-00000010.cdmckpt"), "garbage");
            File.WriteAllText(Path.Combine(Root, "bad-policy.json"), "{\"roles\": {\"public\": [\"a\"]");
            Directory.CreateDirectory(Path.Combine(Root, "torn-registry"));
            File.WriteAllText(Path.Combine(Root, "torn-registry", "index.json"), "{\"Generation\": 3, \"Shards\": {");
            Directory.CreateDirectory(Path.Combine(Root, "empty-registry"));
            var splits = Directory.CreateDirectory(Path.Combine(Root, "fake-repo", "data-manifests", "splits")).FullName;
            File.WriteAllText(Path.Combine(Root, "fake-repo", "CdmNotebooks.sln"), "");
            File.WriteAllText(Path.Combine(splits, "broken.csv"), "not,a\nsplit");
            File.WriteAllText(Path.Combine(splits, "broken.summary.json"), "{");
            var garbage = Directory.CreateDirectory(Path.Combine(Root, "garbage-dataset")).FullName;
            foreach (var name in new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" })
            {
                File.WriteAllText(Path.Combine(garbage, name), "garbage");
            }

            Directory.CreateDirectory(Path.Combine(Root, "empty-dataset"));
        }

        public string Root { get; }

        public string Registry { get; }

        public void Dispose()
        {
            _fixture.Dispose();
            Directory.Delete(Root, recursive: true);
        }
    }
}
