namespace CdmNotebooks.Composition.Registry;

/// <summary>The versions of one registry component and which one (if any) is active; every other version is retired.</summary>
/// <param name="Active">The composable version, or null when the component was removed (e.g. a forgotten shard).</param>
/// <param name="Versions">Every committed version, active or retired.</param>
public sealed record ComponentState(int? Active, IReadOnlyList<int> Versions);
