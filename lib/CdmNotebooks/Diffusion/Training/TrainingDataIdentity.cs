namespace CdmNotebooks.Diffusion;

/// <summary>Which data a model was trained on: dataset, split name, shard ("all" for the union) and the sha256 identity of the sorted sample IDs.</summary>
public sealed record TrainingDataIdentity(string Dataset, string Split, string Shard, string Identity)
{
    /// <summary>Human-readable form used in error messages.</summary>
    public override string ToString() => $"{Dataset}/{Split}/shard {Shard} (identity {Identity})";
}
