namespace CdmNotebooks.Composition.Registry;

/// <summary>A composition opened from a registry: the denoiser plus exactly which shard and router versions it is made of.</summary>
/// <param name="Denoiser">The composed denoiser (masked shards were never loaded).</param>
/// <param name="ShardNames">Shard names in router order, including masked ones.</param>
/// <param name="Shards">The opened shard versions in router order; null where the shard is masked (not entitled or not requested).</param>
/// <param name="Mask">Which shards carry weight.</param>
/// <param name="RouterKind">The router kind.</param>
/// <param name="Router">The router version used, for trained kinds.</param>
public sealed record ComposedModel(
    ComposedDenoiser Denoiser,
    IReadOnlyList<string> ShardNames,
    IReadOnlyList<ShardManifest?> Shards,
    ShardMask Mask,
    RouterKind RouterKind,
    RouterManifest? Router);
