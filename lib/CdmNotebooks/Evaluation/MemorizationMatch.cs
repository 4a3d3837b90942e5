namespace CdmNotebooks.Evaluation;

/// <summary>One generated sample's nearest training image and how much closer it is than the sample's other neighbours.</summary>
/// <param name="SampleIndex">Index of the generated sample in the input batch.</param>
/// <param name="NearestTrainingIndex">Row of the nearest training image in the training set passed in.</param>
/// <param name="NearestTrainingId">Stable ID of that training image, so a notebook can show the pair.</param>
/// <param name="NearestDistance">Euclidean distance to the nearest training image.</param>
/// <param name="MeanNeighbourDistance">Mean Euclidean distance to the k nearest training images (the nearest included).</param>
/// <param name="Ratio">NearestDistance / MeanNeighbourDistance, in (0, 1]; small means an isolated near-copy.</param>
/// <param name="IsNearCopy">Ratio is below the probe's threshold.</param>
public sealed record MemorizationMatch(
    int SampleIndex,
    int NearestTrainingIndex,
    string NearestTrainingId,
    double NearestDistance,
    double MeanNeighbourDistance,
    double Ratio,
    bool IsNearCopy);
