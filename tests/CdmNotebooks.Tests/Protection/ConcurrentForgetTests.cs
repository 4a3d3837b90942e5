using CdmNotebooks.Protection;

namespace CdmNotebooks.Tests.Protection;

/// <summary>Forget requests running at the same time on one registry: each one takes effect, none reactivates what the other forgot.</summary>
public sealed class ConcurrentForgetTests
{
    [Fact]
    public async Task TwoConcurrentForgetRequestsOnOneShardBothTakeEffect()
    {
        using var fixture = new GaussianRegistryFixture(withRouters: true);
        var registry = fixture.Registry;
        string[] first = ["g/a/003", "g/a/011"];
        string[] second = ["g/a/020", "g/a/029"];
        var trainer = new RendezvousTrainer(fixture, participants: 2);
        var reports = await Task.WhenAll(new[] { ("dpo-1", first), ("dpo-2", second) }
                .Select(r => Task.Run(() => new DataProtection(registry, trainer, fixture).ForgetSamples(r.Item1, r.Item2))))
            .WaitAsync(TimeSpan.FromMinutes(3));

        Assert.Equal(first.Concat(second).Order(StringComparer.Ordinal), registry.ReadIndex().ForgottenIds.Order(StringComparer.Ordinal));
        var lineage = LineageCheck.Verify(registry);
        Assert.True(lineage.Passed, string.Join("\n", lineage.Violations));
        Assert.Equal(5, lineage.CheckedComponents.Count);
        var held = registry.IdsOf(registry.Shard("a").DataIdentity);
        Assert.Equal(36, held.Count);
        Assert.Empty(held.Intersect(first.Concat(second)));
        Assert.Equal(["dpo-1", "dpo-2"], new AuditLog(registry).Read().Where(r => r.Operation == "forget-samples").Select(r => r.Actor).Order(StringComparer.Ordinal));

        // Both planned from one index (the rendezvous), so one commit was refused and that request was planned again from the winner's index.
        Assert.Single(reports, r => r.Timings.Any(t => t.Component == "registry" && t.Action.StartsWith("attempt 1 refused, planned again: shard 'a' was a@v1", StringComparison.Ordinal)));
    }

    [Fact]
    public void AHeadRetrainedAfterAReferenceIdWasForgottenLeavesThatIdOutOfItsReferenceSet()
    {
        using var fixture = new GaussianRegistryFixture(withRouters: true);
        var registry = fixture.Registry;
        var protection = new DataProtection(registry, fixture, fixture);
        protection.ForgetSamples("dpo", ["ref/007"]);
        // A later request retrains head a; its reference set must still exclude ref/007, forgotten by the earlier request.
        protection.ForgetSamples("dpo", ["g/a/003"]);

        var lineage = LineageCheck.Verify(registry);
        Assert.True(lineage.Passed, string.Join("\n", lineage.Violations));
        var head = registry.Router("r-heads").Parts.Single(p => p.ShardName == "a");
        Assert.DoesNotContain(head.TrainedOnIdentities.SelectMany(registry.IdsOf), id => id is "ref/007" or "g/a/003");
    }

    /// <summary>Holds the first training of each of <c>participants</c> requests until all have reached it, so they planned from the same index.</summary>
    private sealed class RendezvousTrainer : IShardTrainer
    {
        private readonly IShardTrainer _inner;
        private readonly int _participants;
        private readonly Barrier _barrier;
        private readonly Lock _gate = new();
        private int _calls;

        public RendezvousTrainer(IShardTrainer inner, int participants)
        {
            _inner = inner;
            _participants = participants;
            _barrier = new Barrier(participants);
        }

        public ShardTrainingOutcome Train(string shardName, IReadOnlyList<string> sampleIds, string checkpointPath, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _calls) <= _participants && !_barrier.SignalAndWait(TimeSpan.FromMinutes(1)))
            {
                throw new TimeoutException("the other forget request never started training");
            }

            // The fixture's trainer records what it trained in a plain list.
            lock (_gate)
            {
                return _inner.Train(shardName, sampleIds, checkpointPath, cancellationToken);
            }
        }
    }
}
