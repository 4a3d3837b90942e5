using CdmNotebooks.Composition;
using CdmNotebooks.Composition.Registry;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Tests.Protection;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.Composition;

public sealed class ShardRegistryTests
{
    [Fact]
    public void StagedButUncommittedVersionsLeaveThePreviousStateComposable()
    {
        using var fixture = new GaussianRegistryFixture();
        var registry = fixture.Registry;
        var before = registry.ReadIndex();
        // A crash after staging a version (files written, index untouched) and one mid-staging (folder without manifest).
        registry.StageShard(new ShardDraft("a", "gaussian-3", 0, GaussianRegistryFixture.IdsOfShard(0).Skip(1).ToList(), [], null, ["a@v1"], "crashed"),
            path => File.WriteAllText(path, "[0,0,1]"));
        Directory.CreateDirectory(Path.Combine(registry.Root, "shards", "a", "v3"));

        var reopened = new ShardRegistry(fixture.Root);
        Assert.Equal(before.Generation, reopened.ReadIndex().Generation);
        Assert.Equal(1, reopened.Shard("a").Version);
        var model = RegistryComposer.Compose(reopened, new CompositionRequest { RouterKind = RouterKind.Naive }, fixture.Load);
        Assert.Equal(["a", "b", "c"], model.ShardNames);
        var next = reopened.StageShard(new ShardDraft("a", "gaussian-3", 0, GaussianRegistryFixture.IdsOfShard(0), [], null, [], "retry"),
            path => File.WriteAllText(path, "[0,0,1]"));
        Assert.Equal(4, next.Version);
    }

    [Fact]
    public void RetiredVersionsAreNotComposableAndUnknownNamesAreClearErrors()
    {
        using var fixture = new GaussianRegistryFixture();
        var registry = fixture.Registry;
        var v2 = registry.StageShard(new ShardDraft("a", "gaussian-3", 0, GaussianRegistryFixture.IdsOfShard(0).Skip(2).ToList(), [], null, ["a@v1"], "test"),
            path => File.WriteAllText(path, "[-3,0,0.25]"));
        registry.Commit(new RegistryChange { Base = registry.ReadIndex(), ActivateShards = [v2] });
        Assert.Equal(2, registry.Shard("a").Version);
        Assert.Contains("retired", Assert.Throws<InvalidOperationException>(() => registry.Shard("a@v1")).Message);
        Assert.Contains("Known: a, b, c", Assert.Throws<KeyNotFoundException>(() => registry.Shard("zz")).Message);
        Assert.Equal(v2.DataIdentity, CdmNotebooks.Data.DataIdentity.Of(registry.IdsOf(v2.DataIdentity)));
    }

    [Fact]
    public void TamperedCheckpointIsRefused()
    {
        using var fixture = new GaussianRegistryFixture();
        var a = fixture.Registry.Shard("a");
        File.WriteAllText(Path.Combine(fixture.Root, a.CheckpointFile), "[9,9,9]");
        var error = Assert.Throws<InvalidDataException>(() => RegistryComposer.Compose(fixture.Registry, new CompositionRequest { RouterKind = RouterKind.Naive }, fixture.Load));
        Assert.Contains("sha256", error.Message);
    }

    [Fact]
    public void AUserCompositionOpensOnlyEntitledShardFilesAndRenormalizes()
    {
        using var fixture = new GaussianRegistryFixture(withRouters: true);
        var registry = fixture.Registry;
        var policy = new AccessPolicy(
            new Dictionary<string, IReadOnlyList<string>> { ["public"] = ["a"] },
            new Dictionary<string, UserGrant> { ["alice"] = new(["public"], ["b"]), ["bob"] = new(null, ["c"]) });
        var c = registry.Shard("c");
        var cHead = registry.Router("r-heads").Parts.Single(p => p.ShardName == "c");
        // If anything opened shard c's checkpoint, its manifest or its router head, it would fail now.
        File.Delete(Path.Combine(fixture.Root, c.CheckpointFile));
        File.Delete(Path.Combine(Path.GetDirectoryName(Path.Combine(fixture.Root, c.CheckpointFile))!, "manifest.json"));
        File.Delete(Path.Combine(fixture.Root, cHead.File));

        foreach (var kind in new[] { RouterKind.Ito, RouterKind.Compartmentalized, RouterKind.Classifier, RouterKind.Naive })
        {
            fixture.OpenedCheckpoints.Clear();
            var model = RegistryComposer.Compose(registry,
                new CompositionRequest { RouterKind = kind, User = "alice", Policy = policy, Options = new CompositionOptions(RecordWeights: true) }, fixture.Load);
            Assert.Equal(["a", "b"], fixture.OpenedCheckpoints.Order());
            Assert.Null(model.Shards[2]);
            using var samples = new DdpmSampler().Sample(model.Denoiser, [16, 2, 4, 4], Conditioning.None, new Generator(1), new SamplingOptions { Steps = 10, Device = CPU });
            var trajectory = model.Denoiser.Trajectory!;
            for (var s = 0; s < trajectory.Steps; s++)
            {
                for (var b = 0; b < 16; b++)
                {
                    Assert.True(trajectory.Weight(s, b, 2) == 0f, $"{kind}: step {s} sample {b} weight {trajectory.Weight(s, b, 2)} {trajectory.Weight(s, b, 0)}");
                    Assert.Equal(1.0, trajectory.Weight(s, b, 0) + trajectory.Weight(s, b, 1), 4);
                }
            }
        }

        Assert.Contains("not entitled", Assert.Throws<UnauthorizedAccessException>(() => RegistryComposer.Compose(registry,
            new CompositionRequest { RouterKind = RouterKind.Ito, User = "alice", Policy = policy, Shards = ["c"] }, fixture.Load)).Message);
        Assert.Contains("not in the access policy", Assert.Throws<UnauthorizedAccessException>(() => RegistryComposer.Compose(registry,
            new CompositionRequest { RouterKind = RouterKind.Ito, User = "mallory", Policy = policy }, fixture.Load)).Message);
        var typo = policy with { Roles = new Dictionary<string, IReadOnlyList<string>> { ["public"] = ["a", "d"] } };
        Assert.Contains("d", Assert.Throws<KeyNotFoundException>(() => RegistryComposer.Compose(registry,
            new CompositionRequest { RouterKind = RouterKind.Ito, User = "alice", Policy = typo }, fixture.Load)).Message);
    }

    [Fact]
    public void AccessPolicyRoundTripsThroughItsFile()
    {
        using var fixture = new GaussianRegistryFixture();
        var path = Path.Combine(fixture.Root, "entitlements.json");
        new AccessPolicy(
            new Dictionary<string, IReadOnlyList<string>> { ["public"] = ["a", "b"] },
            new Dictionary<string, UserGrant> { ["alice"] = new(["public"], null) }).Save(path);
        var policy = AccessPolicy.Load(path);
        Assert.Equal(["a", "b"], policy.EntitledShards("alice").Order());
        File.WriteAllText(path, """{"roles": {}, "users": {"eve": {"roles": ["admin"], "shards": []}}}""");
        Assert.Contains("admin", Assert.Throws<KeyNotFoundException>(() => AccessPolicy.Load(path)).Message);
    }
}
