namespace CdmNotebooks.Diffusion;

/// <summary>Progress of a training run reported after each step: loss, throughput and estimated time to finish.</summary>
public sealed record TrainingProgress(int Step, int TotalSteps, double Loss, double ImagesPerSecond, TimeSpan Elapsed, TimeSpan EstimatedRemaining);
