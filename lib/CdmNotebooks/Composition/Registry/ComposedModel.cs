using CdmNotebooks.Diffusion;

namespace CdmNotebooks.Composition.Registry;

/// <summary>A composition opened from a registry: the denoiser plus exactly which shard and router versions it is made of; disposing it releases the shard weights it opened.</summary>
/// <param name="Denoiser">The composed denoiser (masked shards were never loaded).</param>
/// <param name="ShardNames">Shard names in router order, including masked ones.</param>
/// <param name="Shards">The opened shard versions in router order; null where the shard is masked (not entitled or not requested).</param>
/// <param name="Mask">Which shards carry weight.</param>
/// <param name="RouterKind">The router kind.</param>
/// <param name="Router">The router version used, for trained kinds.</param>
/// <param name="ShardDenoisers">The shard denoisers opened, in router order (null where masked).</param>
public sealed record ComposedModel(
    ComposedDenoiser Denoiser,
    IReadOnlyList<string> ShardNames,
    IReadOnlyList<ShardManifest?> Shards,
    ShardMask Mask,
    RouterKind RouterKind,
    RouterManifest? Router,
    IReadOnlyList<IDenoiser?> ShardDenoisers) : IDisposable
{
    /// <summary>Releases the native weights of the shard models and router networks this composition opened.</summary>
    public void Dispose()
    {
        foreach (var shard in ShardDenoisers)
        {
            (shard as UNetDenoiser)?.Network.Dispose();
            (shard as IDisposable)?.Dispose();
        }

        (Denoiser.Router as IDisposable)?.Dispose();
    }
}
