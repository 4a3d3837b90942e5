namespace CdmNotebooks.Composition.Registry;

/// <summary>One weight file of a router and the data identities that trained it.</summary>
/// <param name="ShardName">The shard this part serves (a compartmentalized head), or null when the part serves all shards.</param>
/// <param name="File">Path relative to the registry root; unchanged parts of a new version point at the older version's file.</param>
/// <param name="Sha256">sha256 of the file, verified on load.</param>
/// <param name="TrainedOnIdentities">Data identities (registry ID lists) of every sample set the part was trained on, reference sets included.</param>
public sealed record RouterPart(string? ShardName, string File, string Sha256, IReadOnlyList<string> TrainedOnIdentities);
