using System.Diagnostics;
using CdmNotebooks.Composition.Registry;
using Xunit.Abstractions;

namespace CdmNotebooks.Tests.Composition;

/// <summary>Several OS processes writing one registry at once: no two stagers share a version folder, no commit is lost, a killed lock holder blocks nobody.</summary>
public sealed class RegistryConcurrencyTests : IDisposable
{
    private const int Writers = 8;

    private readonly string _root = Directory.CreateTempSubdirectory("cdm-registry-concurrency-").FullName;
    private readonly ITestOutputHelper _output;

    public RegistryConcurrencyTests(ITestOutputHelper output) => _output = output;

    private string Registry => Path.Combine(_root, "registry");

    private string GoFile => Path.Combine(_root, "go");

    [Fact]
    public void StagersRacingOnOneShardEachGetTheirOwnVersionFolder()
    {
        const int perWriter = 5;
        var clock = Stopwatch.StartNew();
        var staged = RunAll(Enumerable.Range(0, Writers).Select(_ => new[] { "stage", Registry, "s", perWriter.ToString(System.Globalization.CultureInfo.InvariantCulture), GoFile }));

        // Each line is "s@vN CONTENT": a version handed to two stagers shows up twice, and one of them finds another writer's checkpoint.
        var results = staged.Select(line => line.Split(' ')).Select(p => (Key: p[0], Content: p[1])).ToList();
        Assert.Equal(Writers * perWriter, results.Count);
        var shared = results.GroupBy(r => r.Key).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(shared.Count == 0, $"versions handed to more than one stager: {string.Join(", ", shared)}");
        var registry = new ShardRegistry(Registry);
        foreach (var (key, content) in results)
        {
            var (name, version) = ComponentKey.Parse(key);
            var manifest = registry.ShardVersion(name, version!.Value);
            Assert.Equal(version, manifest.Version);
            Assert.Equal(content, File.ReadAllText(registry.VerifiedPath(manifest.CheckpointFile, manifest.CheckpointSha256)));
        }

        Assert.Equal(Writers * perWriter, Directory.GetDirectories(Path.Combine(Registry, "shards", "s")).Length);
        _output.WriteLine($"{Writers} processes staged {results.Count} versions in {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void EightProcessesAddingShardsAtOnceLoseNoUpdate()
    {
        var clock = Stopwatch.StartNew();
        var names = Enumerable.Range(0, Writers).Select(k => $"w{k}").ToList();
        var added = RunAll(names.Select(name => new[] { "add", Registry, name, GoFile }));

        Assert.Equal(names.Select(n => $"added {n}"), added.Order(StringComparer.Ordinal));
        var registry = new ShardRegistry(Registry);
        var index = registry.ReadIndex();
        Assert.Equal(Writers, index.Generation);
        Assert.Equal(names, registry.ActiveShardNames());
        foreach (var shard in registry.ActiveShards())
        {
            var ids = Enumerable.Range(0, 20).Select(k => $"{shard.Name}/{k:D3}").ToList();
            Assert.Equal(ids, registry.IdsOf(shard.DataIdentity));
            Assert.Equal(string.Join('\n', ids), File.ReadAllText(registry.VerifiedPath(shard.CheckpointFile, shard.CheckpointSha256)));
        }

        Assert.Equal(names, new CdmNotebooks.Protection.AuditLog(registry).Read().Select(r => r.Shards.Single().Shard).Order(StringComparer.Ordinal));
        Assert.True(CdmNotebooks.Protection.LineageCheck.Verify(registry).Passed);
        _output.WriteLine($"{Writers} processes added {Writers} shards in {clock.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void AWriterKilledWhileHoldingTheLockDoesNotBlockTheNextOne()
    {
        var registry = new ShardRegistry(Registry, writerLockTimeout: TimeSpan.FromSeconds(1));
        var draft = new ShardDraft("s", "concurrency", 0, ["s/0"], [], null, [], "after a killed writer");
        using var holder = WriterProcess.Start("hold-lock", Registry);
        holder.WaitForLine("locked");

        // While the holder lives its lock excludes this process: the proof that the lock is real before it is killed.
        var blocked = Assert.Throws<TimeoutException>(() => registry.StageShard(draft, path => File.WriteAllText(path, "x")));
        Assert.Contains(Path.Combine(Registry, ".writer.lock"), blocked.Message);

        holder.KillHard();
        var clock = Stopwatch.StartNew();
        var staged = registry.StageShard(draft, path => File.WriteAllText(path, "x"));
        registry.Commit(new RegistryChange { Base = registry.ReadIndex(), ActivateShards = [staged] });
        Assert.Equal(1, registry.Shard("s").Version);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"the next writer waited {clock.Elapsed.TotalSeconds:F1} s for a dead writer's lock");
    }

    [Fact]
    public void TheLockExcludesOtherWritersEvenWithDotnetFileLockingSwitchedOff()
    {
        // With this variable, .NET's FileShare.None takes no lock at all on Unix; the registry's own flock must still exclude.
        var registry = new ShardRegistry(Registry, writerLockTimeout: TimeSpan.FromMilliseconds(500));
        using var holder = WriterProcess.Start(new Dictionary<string, string> { ["DOTNET_SYSTEM_IO_DISABLEFILELOCKING"] = "1" }, "hold-lock", Registry);
        holder.WaitForLine("locked");
        Assert.Throws<TimeoutException>(() => registry.Commit(new RegistryChange { Base = registry.ReadIndex(), ForgetIds = ["x"] }));
        Assert.Equal(0, registry.ReadIndex().Generation);
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    // Starts every writer, waits until each has opened the registry, then releases them together so their writes overlap.
    private List<string> RunAll(IEnumerable<string[]> argumentLists)
    {
        var writers = argumentLists.Select(arguments => WriterProcess.Start(arguments)).ToList();
        try
        {
            foreach (var writer in writers)
            {
                writer.WaitForLine("ready");
            }

            File.WriteAllText(GoFile, "");
            foreach (var writer in writers)
            {
                writer.Finish();
            }

            return writers.SelectMany(w => w.Results).ToList();
        }
        finally
        {
            foreach (var writer in writers)
            {
                writer.Dispose();
            }
        }
    }
}
