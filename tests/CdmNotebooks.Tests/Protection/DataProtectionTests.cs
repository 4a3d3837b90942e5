using System.Text.Json;
using CdmNotebooks.Composition;
using CdmNotebooks.Composition.Registry;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Protection;

namespace CdmNotebooks.Tests.Protection;

public sealed class DataProtectionTests
{
    [Fact]
    public void ForgettingSamplesRetrainsOnlyAffectedShardsUpdatesRoutersPerKindAndPassesTheLineageCheck()
    {
        using var fixture = new GaussianRegistryFixture(withRouters: true);
        var registry = fixture.Registry;
        var before = registry.ActiveShards().ToDictionary(s => s.Name);
        var headsBefore = registry.Router("r-heads");
        string[] forget = ["g/a/003", "g/a/017", "g/a/031", "g/b/005", "g/nowhere/1"];

        var report = new DataProtection(registry, fixture, fixture).ForgetSamples("dpo@example.org", forget);

        Assert.Equal(["a", "b"], fixture.TrainedShards.Order());
        Assert.Equal(2, registry.Shard("a").Version);
        Assert.Equal(2, registry.Shard("b").Version);
        Assert.Equal(1, registry.Shard("c").Version);
        Assert.Contains("retired", Assert.Throws<InvalidOperationException>(() => registry.Shard("a@v1")).Message);
        Assert.Equal(37, registry.IdsOf(registry.Shard("a").DataIdentity).Count);
        Assert.DoesNotContain("g/b/005", registry.IdsOf(registry.Shard("b").DataIdentity));

        // The classifier saw every shard, so it is retrained; the compartmentalized router retrains only the heads of a and b.
        Assert.Equal(2, registry.Router("r-classifier").Version);
        var heads = registry.Router("r-heads");
        Assert.Equal(2, heads.Version);
        Assert.Equal(headsBefore.Parts.Single(p => p.ShardName == "c").File, heads.Parts.Single(p => p.ShardName == "c").File);
        Assert.NotEqual(headsBefore.Parts.Single(p => p.ShardName == "a").File, heads.Parts.Single(p => p.ShardName == "a").File);
        Assert.Contains(report.Timings, t => t.Component == "router r-heads" && t.Action == "retrained 2 of 3 heads");

        var record = Assert.Single(new AuditLog(registry).Read());
        Assert.Equal("dpo@example.org", record.Actor);
        Assert.Equal("forget-samples", record.Operation);
        Assert.Equal(["g/nowhere/1"], record.NotFoundIds);
        var a = record.Shards.Single(s => s.Shard == "a");
        Assert.Equal((1, 2, before["a"].DataIdentity), (a.FromVersion!.Value, a.ToVersion!.Value, a.BeforeIdentity!));
        Assert.Equal(registry.Shard("a").DataIdentity, a.AfterIdentity);

        var lineage = LineageCheck.Verify(registry);
        Assert.True(lineage.Passed, string.Join("\n", lineage.Violations));
        Assert.Equal(5, lineage.ForgottenIds);
        Assert.Equal(5, lineage.CheckedComponents.Count);
    }

    [Fact]
    public void LineageCheckFailsWhenAnActiveComponentWasTrainedOnAForgottenId()
    {
        using var fixture = new GaussianRegistryFixture(withRouters: true);
        // Record the ID as forgotten without retraining anything: shard a and both routers still carry it.
        fixture.Registry.Commit(new RegistryChange { Base = fixture.Registry.ReadIndex(), ForgetIds = ["g/a/010"] });
        var report = LineageCheck.Verify(fixture.Registry);
        Assert.False(report.Passed);
        Assert.Contains(report.Violations, v => v.StartsWith("shard a@v1 was trained on 1 forgotten ID(s), e.g. g/a/010", StringComparison.Ordinal));
        Assert.Contains(report.Violations, v => v.StartsWith("router r-classifier@v1 was trained", StringComparison.Ordinal));
        Assert.Contains(report.Violations, v => v.StartsWith("router r-heads@v1 head a was trained", StringComparison.Ordinal));
        Assert.DoesNotContain(report.Violations, v => v.Contains("head b", StringComparison.Ordinal));
    }

    [Fact]
    public void LineageCheckFailsWhenAShardsBaseSawAForgottenIdAndWhenTheBaseDataIsUnknown()
    {
        using var fixture = new GaussianRegistryFixture();
        var registry = fixture.Registry;
        string[] publicIds = ["pub/000", "pub/001", "pub/002"];
        var baseData = new TrainingDataIdentity("gaussian", "base", "all", registry.StoreIds(publicIds));
        var lineage = new BaseLineage("base-key-0123456789", baseData);
        var config = JsonSerializer.SerializeToElement(ModelProfiles.Get("smoke") with { Base = lineage }, Checkpoint.JsonOptions);
        var ids = GaussianRegistryFixture.IdsOfShard(0).Take(20).ToList();
        var tuned = registry.StageShard(new ShardDraft("d", "gaussian-3", 3, ids, [], config, [], "fine-tuned"), path => File.WriteAllText(path, "weights"));
        registry.Commit(new RegistryChange { Base = registry.ReadIndex(), ActivateShards = [tuned] });
        Assert.True(LineageCheck.Verify(registry).Passed);

        // Forgetting an ID that only the base saw: no shard's own data holds it, yet the fine-tuned shard carries it through its start.
        registry.Commit(new RegistryChange { Base = registry.ReadIndex(), ForgetIds = ["pub/001"] });
        var report = LineageCheck.Verify(registry);
        Assert.False(report.Passed);
        var violation = Assert.Single(report.Violations);
        Assert.StartsWith("shard d@v1 is fine-tuned from base base-key-0123456789", violation, StringComparison.Ordinal);
        Assert.Contains("held by the base: retrain the base and every model fine-tuned from it", violation, StringComparison.Ordinal);

        // A base whose IDs the registry never stored cannot be proven clean.
        using var other = new GaussianRegistryFixture();
        var unknown = JsonSerializer.SerializeToElement(ModelProfiles.Get("smoke") with { Base = lineage with { Data = baseData with { Identity = new string('0', 64) } } }, Checkpoint.JsonOptions);
        var orphan = other.Registry.StageShard(new ShardDraft("d", "gaussian-3", 3, ids, [], unknown, [], "fine-tuned"), path => File.WriteAllText(path, "weights"));
        other.Registry.Commit(new RegistryChange { Base = other.Registry.ReadIndex(), ActivateShards = [orphan] });
        Assert.Contains(LineageCheck.Verify(other.Registry).Violations, v => v.Contains("cannot be verified", StringComparison.Ordinal));
    }

    [Fact]
    public void LineageCheckReportsAnEditedIdList()
    {
        using var fixture = new GaussianRegistryFixture();
        var identity = fixture.Registry.Shard("b").DataIdentity;
        var path = Path.Combine(fixture.Root, "identities", identity + ".txt");
        File.WriteAllText(path, File.ReadAllText(path).Replace("g/b/007\n", "", StringComparison.Ordinal));
        var report = LineageCheck.Verify(fixture.Registry);
        Assert.Contains(report.Violations, v => v.Contains("modified after it was stored", StringComparison.Ordinal));
    }

    [Fact]
    public void ForgettingAShardRemovesItAndRetrainsOnlyWhatSawIt()
    {
        using var fixture = new GaussianRegistryFixture(withRouters: true);
        var registry = fixture.Registry;
        var headsBefore = registry.Router("r-heads");
        var report = new DataProtection(registry, fixture, fixture).ForgetShard("owner-of-b", "b");

        Assert.Empty(fixture.TrainedShards);
        Assert.Contains("removed", Assert.Throws<InvalidOperationException>(() => registry.Shard("b")).Message);
        Assert.Equal(["a", "c"], registry.Router("r-classifier").ShardNames);
        var heads = registry.Router("r-heads");
        Assert.Equal(["a", "c"], heads.ShardNames);
        Assert.Equal(headsBefore.Parts.Where(p => p.ShardName != "b").Select(p => p.File), heads.Parts.Select(p => p.File));
        Assert.Contains(report.Timings, t => t.Component == "router r-heads" && t.Action == "retrained 0 of 2 heads");
        Assert.Contains(report.Timings, t => t.Component == "router r-classifier" && t.Action == "retrained over 2 shards");
        Assert.True(LineageCheck.Verify(registry).Passed);
        Assert.Equal(40, registry.ReadIndex().ForgottenIds.Count);
        var model = RegistryComposer.Compose(registry, new CompositionRequest { RouterKind = RouterKind.Compartmentalized }, fixture.Load);
        Assert.Equal(["a", "c"], model.ShardNames);
    }

    [Fact]
    public void AddingAShardTrainsOnlyItAndOneNewHead()
    {
        using var fixture = new GaussianRegistryFixture(withRouters: true);
        var registry = fixture.Registry;
        var ids = fixture.NewShardIds("g/d", -3f, -3f, 30);
        var report = new DataProtection(registry, fixture, fixture).AddShard("curator", "d", "gaussian-3", 3, ids);

        Assert.Equal(["d"], fixture.TrainedShards);
        Assert.Equal(["a", "b", "c", "d"], registry.Router("r-classifier").ShardNames);
        Assert.Contains(report.Timings, t => t.Component == "router r-heads" && t.Action == "retrained 1 of 4 heads");
        Assert.Equal("add-shard", new AuditLog(registry).Read().Single().Operation);
        Assert.True(LineageCheck.Verify(registry).Passed);
        var model = RegistryComposer.Compose(registry, new CompositionRequest { RouterKind = RouterKind.Classifier }, fixture.Load);
        Assert.Equal(4, model.Denoiser.ShardCount);
        Assert.Throws<InvalidOperationException>(() => new DataProtection(registry, fixture, fixture).AddShard("curator", "d", "gaussian-3", 3, ids));
    }

    [Fact]
    public void AddingRoutersTrainsEachKindOverEveryActiveShardAsTheFixturesRecipeDoes()
    {
        using var expected = new GaussianRegistryFixture(withRouters: true);
        using var fixture = new GaussianRegistryFixture();
        var registry = fixture.Registry;
        var protection = new DataProtection(registry, fixture, fixture);

        Assert.Contains("nothing to train", Assert.Throws<ArgumentException>(() => protection.AddRouter("curator", "r-naive", RouterKind.Naive)).Message);
        var classifier = protection.AddRouter("curator", "r-classifier", RouterKind.Classifier);
        var heads = protection.AddRouter("curator", "r-heads", RouterKind.Compartmentalized);

        foreach (var name in new[] { "r-classifier", "r-heads" })
        {
            var (made, reference) = (registry.Router(name), expected.Registry.Router(name));
            Assert.Equal(reference.Kind, made.Kind);
            Assert.Equal(reference.ShardNames, made.ShardNames);
            Assert.Equal(reference.Parts.Select(p => (p.ShardName, string.Join(",", p.TrainedOnIdentities))), made.Parts.Select(p => (p.ShardName, string.Join(",", p.TrainedOnIdentities))));
        }

        Assert.Contains(classifier.Timings, t => t.Component == "router r-classifier" && t.Action == "trained over 3 shards");
        Assert.Contains(heads.Timings, t => t.Component == "router r-heads" && t.Action == "trained 3 heads");
        Assert.Equal(["add-router", "add-router"], new AuditLog(registry).Read().Select(r => r.Operation));
        Assert.Equal(["(new) -> r-heads@v1"], heads.Record.Routers);
        Assert.True(LineageCheck.Verify(registry).Passed);
        using var model = RegistryComposer.Compose(registry, new CompositionRequest { RouterKind = RouterKind.Compartmentalized }, fixture.Load);
        Assert.Equal(3, model.Denoiser.ShardCount);

        // Training a router again under an active name makes a new version that records the one it replaces.
        var again = protection.AddRouter("curator", "r-heads", RouterKind.Compartmentalized);
        Assert.Equal(["r-heads@v1 -> r-heads@v2"], again.Record.Routers);
        Assert.Equal(["r-heads@v1"], registry.Router("r-heads").Parents);
    }

    [Fact]
    public void AClassifierNeedsTwoShards()
    {
        using var fixture = new GaussianRegistryFixture();
        var protection = new DataProtection(fixture.Registry, fixture, fixture);
        protection.ForgetShard("owner", "b");
        protection.ForgetShard("owner", "c");
        var error = Assert.Throws<InvalidOperationException>(() => protection.AddRouter("curator", "r-classifier", RouterKind.Classifier));
        Assert.Contains("at least 2 active shard(s)", error.Message);
        protection.AddRouter("curator", "r-heads", RouterKind.Compartmentalized);
        Assert.Equal(["a"], fixture.Registry.Router("r-heads").ShardNames);
    }

    [Fact]
    public void ACrashDuringForgettingLeavesThePreviousCompositionIntact()
    {
        using var fixture = new GaussianRegistryFixture(withRouters: true);
        var registry = fixture.Registry;
        var before = registry.ReadIndex();
        fixture.FailTraining = name => name == "b";
        Assert.Throws<IOException>(() => new DataProtection(registry, fixture, fixture).ForgetSamples("dpo", ["g/a/001", "g/b/001"]));

        var reopened = new ShardRegistry(fixture.Root);
        Assert.Equal(before.Generation, reopened.ReadIndex().Generation);
        Assert.Equal(1, reopened.Shard("a").Version);
        Assert.Empty(new AuditLog(reopened).Read());
        Assert.True(LineageCheck.Verify(reopened).Passed);
        var model = RegistryComposer.Compose(reopened, new CompositionRequest { RouterKind = RouterKind.Classifier }, fixture.Load);
        Assert.Equal(3, model.Denoiser.ShardCount);

        // Retrying after the crash succeeds and skips the half-written version folders.
        fixture.FailTraining = null;
        new DataProtection(reopened, fixture, fixture).ForgetSamples("dpo", ["g/a/001", "g/b/001"]);
        Assert.True(reopened.Shard("a").Version > 2);
        Assert.True(LineageCheck.Verify(reopened).Passed);
    }
}
