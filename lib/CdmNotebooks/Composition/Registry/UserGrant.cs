namespace CdmNotebooks.Composition.Registry;

/// <summary>One user's entry in an <see cref="AccessPolicy"/>: roles held and shards granted directly.</summary>
public sealed record UserGrant(IReadOnlyList<string>? Roles, IReadOnlyList<string>? Shards);
