using System.Text.Json;
using CdmNotebooks.Composition.Registry;
using CdmNotebooks.Data;

namespace CdmNotebooks.Tests.Cli;

/// <summary>
/// `cdm forget` and `cdm shard add` train shards from scratch, so in a registry whose shards were fine-tuned from a base they refuse before
/// anything trains (a retrained shard would silently change recipe), name the shard and say where fine-tuned forgetting runs.
/// </summary>
public sealed class CliFineTunedRegistryTests : IDisposable
{
    private const string Split = "mnist10k-uniform-8";
    private readonly string _root = Directory.CreateTempSubdirectory("cdm-cli-fine-tuned-registry-").FullName;

    [Fact]
    public void ForgetAndShardAddRefuseARegistryOfFineTunedShards()
    {
        var registry = new ShardRegistry(Path.Combine(_root, "registry"));
        var ids = ShardSplit.Load(Split).IdsOfShard(0);
        // Only the manifest matters here: a configuration that names a base, as every fine-tuned shard's does.
        using var config = JsonDocument.Parse("""{"trainSteps": 4, "base": {"key": "0123456789abcdef0123", "data": {"dataset": "fashion-mnist", "split": "base", "shard": "all", "identity": "ab12"}}}""");
        var index = registry.ReadIndex();
        var shard = registry.StageShard(new ShardDraft($"{Split}.s0", Split, 0, ids, [], config.RootElement.Clone(), [], "initial"),
            path => File.WriteAllBytes(path, [1, 2, 3]));
        registry.Commit(new RegistryChange { Base = index, ActivateShards = [shard] });
        var generation = registry.ReadIndex().Generation;

        var (code, _, error) = CliProcess.Run(["forget", "--registry", "registry", "--ids", ids[0], "--user", "dpo"], _root);
        Assert.Equal(2, code);
        Assert.Contains($"Shard {shard.Key}", error, StringComparison.Ordinal);
        Assert.Contains("fine-tuned from a base", error, StringComparison.Ordinal);
        Assert.Contains("cdm reproduce forgetting", error, StringComparison.Ordinal);

        (code, _, error) = CliProcess.Run(["shard", "add", "--registry", "registry", "--split", Split, "--shard", "1"], _root);
        Assert.Equal(2, code);
        Assert.Contains("fine-tuned from a base", error, StringComparison.Ordinal);

        Assert.Equal(generation, registry.ReadIndex().Generation);
        Assert.False(Directory.Exists(registry.TrainingRoot) && Directory.EnumerateFileSystemEntries(registry.TrainingRoot).Any());
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
