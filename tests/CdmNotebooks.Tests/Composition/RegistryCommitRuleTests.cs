using CdmNotebooks.Composition.Registry;
using CdmNotebooks.Protection;
using CdmNotebooks.Tests.Protection;

namespace CdmNotebooks.Tests.Composition;

/// <summary>The rebase-or-refuse rules of <see cref="ShardRegistry.Commit"/>, with changes prepared from one base and committed one after another (no timing involved).</summary>
public sealed class RegistryCommitRuleTests
{
    [Fact]
    public void ChangesAddingDifferentShardsFromOneBaseAreBothCommitted()
    {
        using var fixture = new GaussianRegistryFixture();
        var registry = fixture.Registry;
        var based = registry.ReadIndex();
        var d = Stage(fixture, "d", fixture.NewShardIds("g/d", 5, 5, 10));
        var e = Stage(fixture, "e", fixture.NewShardIds("g/e", -5, 5, 10));

        registry.Commit(new RegistryChange { Base = based, ActivateShards = [d] });
        var after = registry.Commit(new RegistryChange { Base = based, ActivateShards = [e] });

        Assert.Equal(based.Generation + 2, after.Generation);
        Assert.Equal(["a", "b", "c", "d", "e"], registry.ActiveShardNames());
    }

    [Fact]
    public void TwoForgetsReplacingOneShardVersionCannotBothWinAndTheLoserIsRefusedWithItsConflicts()
    {
        using var fixture = new GaussianRegistryFixture();
        var registry = fixture.Registry;
        var based = registry.ReadIndex();
        var ids = GaussianRegistryFixture.IdsOfShard(0);
        // Two forget requests prepared from the same index, each retraining a@v1 without only its own ID.
        var withoutFirst = Stage(fixture, "a", ids.Where(id => id != "g/a/001").ToList());
        var withoutSecond = Stage(fixture, "a", ids.Where(id => id != "g/a/002").ToList());
        registry.Commit(new RegistryChange { Base = based, ActivateShards = [withoutFirst], ForgetIds = ["g/a/001"] });
        var winner = registry.ReadIndex();

        var refused = Assert.Throws<RegistryConflictException>(() =>
            registry.Commit(new RegistryChange { Base = based, ActivateShards = [withoutSecond], ForgetIds = ["g/a/002"] }));

        Assert.Contains("shard 'a' was a@v1 when the change was prepared and is a@v2 now: another writer changed it", refused.Conflicts);
        Assert.Contains("shard a@v3 would be active, but it was trained on 1 forgotten ID(s), e.g. g/a/001", refused.Conflicts);
        Assert.Contains("Read the index again", refused.Message);
        Assert.True(refused.OtherWritersCommitted);
        Assert.Equal((based.Generation, winner.Generation), (refused.BaseGeneration, refused.CurrentGeneration));
        Assert.Equal(winner.Generation, registry.ReadIndex().Generation);
        Assert.Equal(["g/a/001"], registry.ReadIndex().ForgottenIds);
        Assert.True(LineageCheck.Verify(registry).Passed);

        // Prepared again from the current index (as the message says), the second request goes through.
        var again = Stage(fixture, "a", ids.Where(id => id is not "g/a/001" and not "g/a/002").ToList());
        registry.Commit(new RegistryChange { Base = registry.ReadIndex(), ActivateShards = [again], ForgetIds = ["g/a/002"] });
        Assert.Equal(4, registry.Shard("a").Version);
        Assert.True(LineageCheck.Verify(registry).Passed);
    }

    [Fact]
    public void ReplacingAVersionAnotherWriterAlreadyReplacedIsRefusedEvenWithoutForgetting()
    {
        using var fixture = new GaussianRegistryFixture();
        var registry = fixture.Registry;
        var based = registry.ReadIndex();
        var first = Stage(fixture, "b", GaussianRegistryFixture.IdsOfShard(1));
        var second = Stage(fixture, "b", GaussianRegistryFixture.IdsOfShard(1));
        registry.Commit(new RegistryChange { Base = based, ActivateShards = [first] });

        var refused = Assert.Throws<RegistryConflictException>(() => registry.Commit(new RegistryChange { Base = based, ActivateShards = [second] }));
        Assert.Equal(["shard 'b' was b@v1 when the change was prepared and is b@v2 now: another writer changed it"], refused.Conflicts);
        Assert.Equal(2, registry.Shard("b").Version);

        // A shard another writer removed is not brought back by a change that replaces the version it saw.
        var c = Stage(fixture, "c", GaussianRegistryFixture.IdsOfShard(2));
        registry.Commit(new RegistryChange { Base = registry.ReadIndex(), RetireShards = ["c"] });
        var removed = Assert.Throws<RegistryConflictException>(() => registry.Commit(new RegistryChange { Base = based, ActivateShards = [c] }));
        Assert.Equal(["shard 'c' was c@v1 when the change was prepared and is removed now: another writer changed it"], removed.Conflicts);
    }

    [Fact]
    public void ANewShardHoldingAnIdAnotherRequestForgotIsRefusedInEitherOrder()
    {
        using var fixture = new GaussianRegistryFixture();
        var registry = fixture.Registry;
        var ids = GaussianRegistryFixture.IdsOfShard(0);
        var copied = fixture.NewShardIds("g/d", 5, 5, 10).Append("g/a/005").ToList();

        // Forget first, then the add prepared before it: the add would bring back the forgotten sample.
        var based = registry.ReadIndex();
        var forget = Stage(fixture, "a", ids.Where(id => id != "g/a/005").ToList());
        var d = Stage(fixture, "d", copied);
        registry.Commit(new RegistryChange { Base = based, ActivateShards = [forget], ForgetIds = ["g/a/005"] });
        var refused = Assert.Throws<RegistryConflictException>(() => registry.Commit(new RegistryChange { Base = based, ActivateShards = [d] }));
        Assert.Equal(["shard d@v1 would be active, but it was trained on 1 forgotten ID(s), e.g. g/a/005"], refused.Conflicts);

        // Add first, then the forget prepared before it: the forget does not touch d, yet committing it would leave d holding the ID.
        using var other = new GaussianRegistryFixture();
        var otherBase = other.Registry.ReadIndex();
        var otherForget = Stage(other, "a", ids.Where(id => id != "g/a/005").ToList());
        var otherD = Stage(other, "d", other.NewShardIds("g/d", 5, 5, 10).Append("g/a/005").ToList());
        other.Registry.Commit(new RegistryChange { Base = otherBase, ActivateShards = [otherD] });
        var late = Assert.Throws<RegistryConflictException>(() =>
            other.Registry.Commit(new RegistryChange { Base = otherBase, ActivateShards = [otherForget], ForgetIds = ["g/a/005"] }));
        Assert.Equal(["shard d@v1 would be active, but it was trained on 1 forgotten ID(s), e.g. g/a/005"], late.Conflicts);
        Assert.Empty(other.Registry.ReadIndex().ForgottenIds);
    }

    [Fact]
    public void AVersionActivatedForTheFirstTimeMayHoldNoForgottenIdEvenFromTheCurrentBase()
    {
        using var fixture = new GaussianRegistryFixture();
        var registry = fixture.Registry;
        var v1 = registry.Shard("a");
        var retrained = Stage(fixture, "a", GaussianRegistryFixture.IdsOfShard(0).Where(id => id != "g/a/005").ToList());
        registry.Commit(new RegistryChange { Base = registry.ReadIndex(), ActivateShards = [retrained], ForgetIds = ["g/a/005"] });

        var copy = Stage(fixture, "d", fixture.NewShardIds("g/d", 5, 5, 10).Append("g/a/005").ToList());
        var refused = Assert.Throws<RegistryConflictException>(() => registry.Commit(new RegistryChange { Base = registry.ReadIndex(), ActivateShards = [copy] }));
        Assert.Equal(["shard d@v1 would be active, but it was trained on 1 forgotten ID(s), e.g. g/a/005"], refused.Conflicts);
        Assert.False(refused.OtherWritersCommitted);
        Assert.Contains("preparing the change again would not help", refused.Message);

        // Bringing a retired version back from the current base is the author's deliberate act (the forgetting experiment does it to
        // prove the lineage check fails); the commit allows it and the lineage check names it.
        registry.Commit(new RegistryChange { Base = registry.ReadIndex(), ActivateShards = [v1] });
        Assert.Contains(LineageCheck.Verify(registry).Violations, v => v.StartsWith("shard a@v1 was trained on 1 forgotten ID(s)", StringComparison.Ordinal));
    }

    [Fact]
    public void ShardAndRouterChangesFromOneBaseAreNotRebasedOverEachOther()
    {
        using var fixture = new GaussianRegistryFixture(withRouters: true);
        var registry = fixture.Registry;
        var based = registry.ReadIndex();
        var heads = registry.Router("r-heads");
        var router = registry.StageRouter(heads.Name, heads.Kind, heads.ShardNames, heads.Parts.Select(RouterPartSource.Keep).ToList(), heads.Config, [heads.Key], "test");
        var d = Stage(fixture, "d", fixture.NewShardIds("g/d", 5, 5, 10));

        registry.Commit(new RegistryChange { Base = based, ActivateRouters = [router] });
        var shardAfterRouter = Assert.Throws<RegistryConflictException>(() => registry.Commit(new RegistryChange { Base = based, ActivateShards = [d] }));
        Assert.Equal([$"the change's shards (d) were planned with the routers of generation {based.Generation}, but router(s) r-heads changed since and would not weigh them"],
            shardAfterRouter.Conflicts);

        var rebased = registry.ReadIndex();
        var classifier = registry.Router("r-classifier");
        var retrained = registry.StageRouter(classifier.Name, classifier.Kind, classifier.ShardNames, classifier.Parts.Select(RouterPartSource.Keep).ToList(),
            classifier.Config, [classifier.Key], "test");
        registry.Commit(new RegistryChange { Base = rebased, ActivateShards = [d] });
        var routerAfterShard = Assert.Throws<RegistryConflictException>(() => registry.Commit(new RegistryChange { Base = rebased, ActivateRouters = [retrained] }));
        Assert.Equal([$"router(s) r-classifier were built for the shards of generation {rebased.Generation}, but shard(s) d changed since"], routerAfterShard.Conflicts);
    }

    [Fact]
    public void MalformedChangesAreSpecificErrors()
    {
        using var fixture = new GaussianRegistryFixture();
        var registry = fixture.Registry;
        var index = registry.ReadIndex();
        var d = Stage(fixture, "d", fixture.NewShardIds("g/d", 5, 5, 10));

        Assert.Contains("needs the index it was prepared from", Assert.Throws<ArgumentException>(() =>
            registry.Commit(new RegistryChange { Base = null!, ActivateShards = [d] })).Message);
        Assert.Contains("another registry's index", Assert.Throws<ArgumentException>(() =>
            registry.Commit(new RegistryChange { Base = index with { Generation = index.Generation + 5 }, ActivateShards = [d] })).Message);
        Assert.Contains("names shard 'd' more than once", Assert.Throws<ArgumentException>(() =>
            registry.Commit(new RegistryChange { Base = index, ActivateShards = [d], RetireShards = ["d"] })).Message);
        Assert.Equal(index.Generation, registry.ReadIndex().Generation);
    }

    private static ShardManifest Stage(GaussianRegistryFixture fixture, string name, IReadOnlyList<string> ids) =>
        fixture.Registry.StageShard(new ShardDraft(name, "gaussian-3", 0, ids, [], null, [], "test"), path => fixture.Train(name, ids, path, default));
}
