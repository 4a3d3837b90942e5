using static TorchSharp.torch;

namespace CdmNotebooks.Diffusion;

/// <summary>Conditioning of a batch: class labels (Unconditional = -1 means the null class for guidance) and/or an embedding.</summary>
/// <remarks>The null embedding is the zero vector (what the trainer substitutes when it drops conditioning). The record does not own its tensors.</remarks>
public sealed record Conditioning(Tensor? ClassLabels, Tensor? Embedding)
{
    /// <summary>Label value meaning "no class" (the null class used for classifier-free guidance).</summary>
    public const long Unconditional = -1;

    /// <summary>No conditioning at all.</summary>
    public static Conditioning None { get; } = new(null, null);

    /// <summary>Class labels [B] int64 (values 0..C-1 or <see cref="Unconditional"/>).</summary>
    public static Conditioning Classes(Tensor labels) => new(labels ?? throw new ArgumentNullException(nameof(labels)), null);

    /// <summary>Embedding vectors [B,D] float32.</summary>
    public static Conditioning Embeddings(Tensor embedding) => new(null, embedding ?? throw new ArgumentNullException(nameof(embedding)));

    /// <summary>True when neither labels nor embedding are present.</summary>
    public bool IsNone => ClassLabels is null && Embedding is null;

    /// <summary>The same batch with every class label replaced by <see cref="Unconditional"/> (embedding kept).</summary>
    public Conditioning WithoutClasses() =>
        ClassLabels is null ? this : this with { ClassLabels = full_like(ClassLabels, Unconditional) };

    /// <summary>The null conditioning of the same batch: labels set to <see cref="Unconditional"/>, embedding set to zeros.</summary>
    public Conditioning Null() => new(
        ClassLabels is null ? null : full_like(ClassLabels, Unconditional),
        Embedding is null ? null : zeros_like(Embedding));

    /// <summary>Concatenates two conditionings along the batch (both must carry the same parts), e.g. to run conditional and unconditional in one call.</summary>
    public static Conditioning Concat(Conditioning first, Conditioning second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if ((first.ClassLabels is null) != (second.ClassLabels is null) || (first.Embedding is null) != (second.Embedding is null))
        {
            throw new ArgumentException("Cannot concatenate conditionings that carry different parts (labels/embedding).");
        }

        return new Conditioning(
            first.ClassLabels is null ? null : cat([first.ClassLabels, second.ClassLabels!], 0),
            first.Embedding is null ? null : cat([first.Embedding, second.Embedding!], 0));
    }

    /// <summary>Rows <paramref name="start"/>..start+length of the batch (a view, no copy).</summary>
    public Conditioning Slice(long start, long length) => new(
        ClassLabels?.narrow(0, start, length),
        Embedding?.narrow(0, start, length));
}
