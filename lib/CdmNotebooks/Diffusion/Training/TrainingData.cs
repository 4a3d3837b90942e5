using CdmNotebooks.Data;
using static TorchSharp.torch;

namespace CdmNotebooks.Diffusion;

/// <summary>The training input of one run: images [N,1,H,W] in [-1, 1], their conditions (class labels [N] int64, or captions as token IDs [N,L] int64) and the data identity.</summary>
public sealed class TrainingData : IDisposable
{
    private readonly IDisposable[] _owned;

    /// <summary>Creates and checks training data; the tensors stay owned by the caller.</summary>
    public TrainingData(Tensor images, Tensor labels, TrainingDataIdentity identity)
        : this(images, labels, identity, [])
    {
    }

    private TrainingData(Tensor images, Tensor labels, TrainingDataIdentity identity, IDisposable[] owned, bool captions = false)
    {
        _owned = owned;
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(identity);
        if (images.dim() != 4 || images.shape[0] < 1)
        {
            throw new ArgumentException($"Training images must be a non-empty [N,C,H,W] tensor; got [{string.Join(",", images.shape)}].", nameof(images));
        }

        if (labels.dim() != (captions ? 2 : 1) || labels.shape[0] != images.shape[0] || labels.dtype != ScalarType.Int64)
        {
            throw new ArgumentException(
                $"Training {(captions ? "caption token IDs must be int64 [N,L]" : "labels must be int64 [N]")} with N = {images.shape[0]}; got {labels.dtype} [{string.Join(",", labels.shape)}].", nameof(labels));
        }

        Images = images;
        Labels = captions ? null : labels;
        Captions = captions ? labels : null;
        Identity = identity;
    }

    /// <summary>Images [N,C,H,W] float32 in [-1, 1].</summary>
    public Tensor Images { get; }

    /// <summary>Class labels [N] int64 (null for captioned data).</summary>
    public Tensor? Labels { get; }

    /// <summary>Captions as token IDs [N, L] int64 (<see cref="TextToImage.SceneTokenizer"/>; null for class-labelled data).</summary>
    public Tensor? Captions { get; }

    /// <summary>What data this is (checked when resuming or loading).</summary>
    public TrainingDataIdentity Identity { get; }

    /// <summary>Number of images.</summary>
    public long Count => Images.shape[0];

    /// <summary>Training data over <paramref name="images"/> (taken over: disposed with this object) labelled with <paramref name="identity"/>.</summary>
    public static TrainingData FromLabeledImages(LabeledImages images, TrainingDataIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(images);
        var labels = images.LabelTensor();
        return new TrainingData(images.Images, labels, identity, [images, labels]);
    }

    /// <summary>Training data of <paramref name="images"/> [N,C,H,W] (taken over: disposed with this object) with one caption each, tokenized here.</summary>
    public static TrainingData WithCaptions(Tensor images, IReadOnlyList<string> captions, TrainingDataIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(captions);
        if (images.shape[0] != captions.Count)
        {
            throw new ArgumentException($"Got {images.shape[0]} images and {captions.Count} captions; pass one caption per image.", nameof(captions));
        }

        var tokens = TextToImage.SceneTokenizer.Encode(captions);
        return new TrainingData(images, tokens, identity, [images, tokens], captions: true);
    }

    /// <summary>Disposes what this object took over (nothing when constructed from caller-owned tensors).</summary>
    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }
}
