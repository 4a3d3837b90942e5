using static TorchSharp.torch;

namespace CdmNotebooks.Evaluation;

/// <summary>Maps images to features and class logits; implement it to evaluate with your own network (e.g. converted Inception weights).</summary>
public interface IFeatureExtractor
{
    /// <summary>Honest name of the metric space, used in every report label, e.g. "CdmNet features (fashion-mnist)".</summary>
    string Name { get; }

    /// <summary>Length D of each feature vector.</summary>
    int FeatureDimension { get; }

    /// <summary>Number C of classes the logits score (10 per dataset, 20 for the union: domain * 10 + class).</summary>
    int ClassCount { get; }

    /// <summary>Features [N,D] and logits [N,C] for <paramref name="images"/> [N,1,28,28] in [-1,1]; does not dispose the input.</summary>
    FeatureOutput Extract(Tensor images);
}
