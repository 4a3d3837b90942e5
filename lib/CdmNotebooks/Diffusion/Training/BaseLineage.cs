namespace CdmNotebooks.Diffusion;

/// <summary>Which model a fine-tuned model started from: the base's model key, the data it saw, and (for a chain) the base's own base.</summary>
/// <remarks>Stored in the fine-tuned model's configuration, so its cache key, checkpoints and registry manifest all name the base, and a forget request can follow the chain to every model that saw an ID.</remarks>
/// <param name="Key">The base's model key (<see cref="ModelKey.Of"/> of its configuration and data).</param>
/// <param name="Data">The base's training data identity.</param>
/// <param name="Base">The base's own base, or null when the base was trained from scratch.</param>
public sealed record BaseLineage(string Key, TrainingDataIdentity Data, BaseLineage? Base = null)
{
    /// <summary>This base and every base further up the chain, nearest first.</summary>
    public IEnumerable<BaseLineage> Chain()
    {
        for (var b = this; b is not null; b = b.Base)
        {
            yield return b;
        }
    }

    /// <summary>The lineage of the model in checkpoint <paramref name="header"/>, as a model fine-tuned from it records.</summary>
    public static BaseLineage Of(CheckpointHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        return new BaseLineage(ModelKey.Of(header.Config, header.Data), header.Data, header.Config.Base);
    }
}
