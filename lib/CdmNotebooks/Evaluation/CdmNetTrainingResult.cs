namespace CdmNotebooks.Evaluation;

/// <summary>Outcome of training one CdmNet: held-out accuracy and cost, recorded in its cache manifest.</summary>
/// <param name="HeldOutAccuracy">Top-1 accuracy on the held-out (test) part.</param>
/// <param name="HeldOutCount">Number of held-out images scored.</param>
/// <param name="TrainCount">Number of training images.</param>
/// <param name="EpochLosses">Mean training cross-entropy per epoch.</param>
/// <param name="TrainSeconds">Wall-clock training time (contaminated by other load on a shared machine).</param>
public sealed record CdmNetTrainingResult(
    double HeldOutAccuracy,
    int HeldOutCount,
    int TrainCount,
    IReadOnlyList<double> EpochLosses,
    double TrainSeconds);
