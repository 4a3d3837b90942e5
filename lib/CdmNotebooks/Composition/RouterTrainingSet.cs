using static TorchSharp.torch;

namespace CdmNotebooks.Composition;

/// <summary>Clean training images [N,C,H,W] (and optional class labels [N]) of one shard or of the reference set; not owned.</summary>
public sealed record RouterTrainingSet(Tensor Images, Tensor? Labels = null)
{
    /// <summary>Number of images.</summary>
    public long Count => Images.shape[0];
}
