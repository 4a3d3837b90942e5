using System.Globalization;
using CdmNotebooks.Composition.Registry;
using CdmNotebooks.Protection;

namespace CdmNotebooks.RegistryWriter;

/// <summary>
/// One registry writer process for the concurrency tests. Each mode prints "ready" once the registry is open, waits for a go file
/// (so every process of a test is started before any of them writes), then writes and prints one line per result.
/// </summary>
/// <remarks>
/// Modes: <c>stage ROOT SHARD COUNT GO</c> stages COUNT versions of SHARD, printing each key and the content of its checkpoint;
/// <c>add ROOT SHARD GO</c> adds SHARD (20 sample IDs named after it) through <see cref="DataProtection.AddShard"/>;
/// <c>hold-lock ROOT</c> takes the registry's writer lock and holds it until the process is killed.
/// </remarks>
internal static class Program
{
    private static int Main(string[] args)
    {
        try
        {
            switch (args)
            {
                case ["stage", var root, var shard, var count, var go]:
                    Stage(new ShardRegistry(root), shard, int.Parse(count, CultureInfo.InvariantCulture), go);
                    return 0;
                case ["add", var root, var shard, var go]:
                    Add(new ShardRegistry(root), shard, go);
                    return 0;
                case ["hold-lock", var root]:
                    HoldLock(new ShardRegistry(root));
                    return 0;
                default:
                    Console.Error.WriteLine("usage: cdm-registry-writer stage ROOT SHARD COUNT GO | add ROOT SHARD GO | hold-lock ROOT");
                    return 2;
            }
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"cdm-registry-writer: {e.GetType().Name}: {e.Message}");
            return 1;
        }
    }

    private static void Stage(ShardRegistry registry, string shard, int count, string go)
    {
        WaitFor(go);
        for (var i = 0; i < count; i++)
        {
            var content = $"{Environment.ProcessId}:{i}";
            var draft = new ShardDraft(shard, "concurrency", 0, [$"{shard}/{content}"], [], null, [], "concurrent staging");
            var manifest = registry.StageShard(draft, path => File.WriteAllText(path, content));
            Console.WriteLine($"{manifest.Key} {content}");
        }
    }

    private static void Add(ShardRegistry registry, string shard, string go)
    {
        var ids = Enumerable.Range(0, 20).Select(k => $"{shard}/{k:D3}").ToList();
        WaitFor(go);
        var report = new DataProtection(registry, new TextTrainer()).AddShard($"writer-{Environment.ProcessId}", shard, "concurrency", 0, ids);
        Console.WriteLine($"added {report.Record.Shards.Single().Shard}");
    }

    // Never released: the test kills this process, after which the kernel must release the lock.
    private static void HoldLock(ShardRegistry registry)
    {
        var writer = registry.AcquireWriterLock();
        Console.WriteLine("locked");
        Thread.Sleep(Timeout.Infinite);
        GC.KeepAlive(writer);
    }

    private static void WaitFor(string go)
    {
        Console.WriteLine("ready");
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (!File.Exists(go))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The go file '{go}' did not appear within 2 minutes.");
            }

            Thread.Sleep(5);
        }
    }

    /// <summary>A stand-in trainer: the checkpoint is the sorted sample IDs, so it is tiny and its content proves which writer made it.</summary>
    private sealed class TextTrainer : IShardTrainer
    {
        public ShardTrainingOutcome Train(string shardName, IReadOnlyList<string> sampleIds, string checkpointPath, CancellationToken cancellationToken)
        {
            File.WriteAllText(checkpointPath, string.Join('\n', sampleIds.Order(StringComparer.Ordinal)));
            return new ShardTrainingOutcome(null, []);
        }
    }
}
