namespace CdmNotebooks.Composition.Registry;

/// <summary>What to compose from a registry: which shards, which router, for whom, and how to evaluate.</summary>
public sealed record CompositionRequest
{
    /// <summary>Shard names or <c>name@vN</c> keys; null = every active shard (or every shard the router covers).</summary>
    public IReadOnlyList<string>? Shards { get; init; }

    /// <summary>Router kind; Ito by default, since it needs no trained router and so composes any shard set.</summary>
    public RouterKind RouterKind { get; init; } = RouterKind.Ito;

    /// <summary>Registered router to use for trained kinds (name or key); null = the only active router of that kind.</summary>
    public string? Router { get; init; }

    /// <summary>The user composing; when set, only shards the policy entitles them to are opened.</summary>
    public string? User { get; init; }

    /// <summary>Entitlements, required when <see cref="User"/> is set.</summary>
    public AccessPolicy? Policy { get; init; }

    /// <summary>Seed of the random-pick router's draws (other kinds are deterministic).</summary>
    public long Seed { get; init; }

    /// <summary>Sparse evaluation and weight recording; null = <see cref="RegistryComposer.DefaultOptions"/> for the router kind.</summary>
    public CompositionOptions? Options { get; init; }
}
