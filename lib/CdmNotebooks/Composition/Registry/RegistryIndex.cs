namespace CdmNotebooks.Composition.Registry;

/// <summary>The registry's single source of truth about what is active, replaced atomically by every operation so a crash leaves the previous state.</summary>
/// <param name="Generation">Incremented by every commit.</param>
/// <param name="Shards">Shard name to its versions.</param>
/// <param name="Routers">Router name to its versions.</param>
/// <param name="ForgottenIds">Every sample ID ever forgotten; no active component may have been trained on one.</param>
public sealed record RegistryIndex(
    long Generation,
    IReadOnlyDictionary<string, ComponentState> Shards,
    IReadOnlyDictionary<string, ComponentState> Routers,
    IReadOnlyList<string> ForgottenIds)
{
    /// <summary>The index of a registry nothing was committed to.</summary>
    public static RegistryIndex Empty { get; } = new(0, new Dictionary<string, ComponentState>(), new Dictionary<string, ComponentState>(), []);
}
