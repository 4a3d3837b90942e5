using static TorchSharp.torch;

namespace CdmNotebooks.Evaluation;

/// <summary>Input validation shared by the metrics, so every metric rejects bad input with the same specific messages.</summary>
internal static class FeatureChecks
{
    /// <summary>Throws unless <paramref name="features"/> is a finite [N,D] tensor with at least <paramref name="minimumRows"/> rows.</summary>
    public static void RequireMatrix(Tensor features, string name, int minimumRows, string why)
    {
        ArgumentNullException.ThrowIfNull(features, name);
        if (features.dim() != 2)
        {
            throw new ArgumentException(
                $"{name} must be a feature matrix shaped [N,D]; got [{string.Join(",", features.shape)}]. " +
                "Extract features first (IFeatureExtractor.Extract) or flatten images with reshape(N, -1).", name);
        }

        if (features.shape[0] < minimumRows)
        {
            throw new ArgumentException(
                $"{name} has {features.shape[0]} rows but at least {minimumRows} are needed: {why}", name);
        }

        if (features.shape[1] < 1)
        {
            throw new ArgumentException($"{name} has zero feature columns.", name);
        }

        RequireFinite(features, name);
    }

    /// <summary>Throws if <paramref name="values"/> holds NaN or infinity, naming how many and the first offending row.</summary>
    public static void RequireFinite(Tensor values, string name)
    {
        using var scope = NewDisposeScope();
        var bad = values.isfinite().logical_not();
        var count = bad.sum().item<long>();
        if (count > 0)
        {
            var firstRow = values.dim() == 0 ? 0 : bad.reshape(values.shape[0], -1).any(1).nonzero()[0, 0].item<long>();
            throw new ArgumentException(
                $"{name} contains {count} NaN or infinite values (first in row {firstRow}). " +
                "Check the generator's output (a diverged sampler produces NaN) before computing metrics.", name);
        }
    }

    /// <summary>Throws unless both feature matrices have the same number of columns.</summary>
    public static void RequireSameDimension(Tensor a, string nameA, Tensor b, string nameB)
    {
        if (a.shape[1] != b.shape[1])
        {
            throw new ArgumentException(
                $"Feature dimensions differ: {nameA} has D={a.shape[1]}, {nameB} has D={b.shape[1]}. " +
                "Both sets must come from the same feature extractor.");
        }
    }

    /// <summary>Throws unless <paramref name="images"/> is a finite [N,1,28,28] batch.</summary>
    public static void RequireImages(Tensor images, string name)
    {
        ArgumentNullException.ThrowIfNull(images, name);
        if (images.dim() != 4 || images.shape[1] != 1 || images.shape[2] != 28 || images.shape[3] != 28)
        {
            throw new ArgumentException(
                $"{name} must be shaped [N,1,28,28] with values in [-1,1]; got [{string.Join(",", images.shape)}].", name);
        }

        if (images.shape[0] < 1)
        {
            throw new ArgumentException($"{name} is empty.", name);
        }

        RequireFinite(images, name);
    }
}
