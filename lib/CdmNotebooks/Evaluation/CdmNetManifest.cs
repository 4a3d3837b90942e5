namespace CdmNotebooks.Evaluation;

/// <summary>What a cached CdmNet was trained on and how well it does; written atomically beside its weights and checked on load.</summary>
/// <param name="Metric">The honest metric name these features give, "FID (CdmNet features)".</param>
/// <param name="Config">Network and training configuration (seed included).</param>
/// <param name="TrainDataIdentity">sha256 of the sorted training sample IDs (<see cref="CdmNotebooks.Data.DataIdentity"/>).</param>
/// <param name="TrainCount">Number of training images.</param>
/// <param name="HeldOutDataIdentity">sha256 of the sorted held-out sample IDs.</param>
/// <param name="HeldOutCount">Number of held-out images.</param>
/// <param name="HeldOutAccuracy">Top-1 accuracy on the held-out images.</param>
/// <param name="EpochLosses">Mean training loss per epoch.</param>
/// <param name="TrainSeconds">Wall-clock training time in seconds.</param>
/// <param name="WeightsFile">File name of the weights, relative to the manifest.</param>
/// <param name="WeightsSha256">sha256 of the weights file, so a truncated or swapped file is detected on load.</param>
/// <param name="CreatedUtc">When training finished (ISO 8601).</param>
public sealed record CdmNetManifest(
    string Metric,
    CdmNetConfig Config,
    string TrainDataIdentity,
    int TrainCount,
    string HeldOutDataIdentity,
    int HeldOutCount,
    double HeldOutAccuracy,
    IReadOnlyList<double> EpochLosses,
    double TrainSeconds,
    string WeightsFile,
    string WeightsSha256,
    string CreatedUtc);
