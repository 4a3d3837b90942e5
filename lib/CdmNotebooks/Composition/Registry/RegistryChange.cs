namespace CdmNotebooks.Composition.Registry;

/// <summary>One atomic registry update: versions to activate (replacing the active ones, which retire), components to retire, IDs forgotten.</summary>
public sealed record RegistryChange
{
    /// <summary>The index the change was prepared from; a commit rebases the change onto what other writers committed since, or refuses it (rules on <see cref="ShardRegistry.Commit"/>).</summary>
    public required RegistryIndex Base { get; init; }

    /// <summary>Staged shard versions to make active.</summary>
    public IReadOnlyList<ShardManifest> ActivateShards { get; init; } = [];

    /// <summary>Staged router versions to make active.</summary>
    public IReadOnlyList<RouterManifest> ActivateRouters { get; init; } = [];

    /// <summary>Shard names to remove from composition entirely (every version retired).</summary>
    public IReadOnlyList<string> RetireShards { get; init; } = [];

    /// <summary>Router names to retire entirely.</summary>
    public IReadOnlyList<string> RetireRouters { get; init; } = [];

    /// <summary>Sample IDs to add to the forgotten set.</summary>
    public IReadOnlyList<string> ForgetIds { get; init; } = [];
}
