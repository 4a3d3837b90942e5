namespace CdmNotebooks.Protection;

/// <summary>Credit of each shard for one generated sample, from its weight trajectory.</summary>
/// <param name="Sample">Row of the sample in its batch.</param>
/// <param name="TimeAveraged">Mean of w_i over every denoiser call of the reverse process (each sampling step counts equally).</param>
/// <param name="Final">w_i at the last call (the lowest noise level), i.e. which shard shaped the final details.</param>
/// <param name="Credited">The shard with the largest time-averaged weight.</param>
public sealed record SampleAttribution(int Sample, IReadOnlyList<double> TimeAveraged, IReadOnlyList<double> Final, int Credited);
