namespace CdmNotebooks.Composition;

/// <summary>Optimization settings for router training (saved with the router).</summary>
/// <param name="Steps">Optimizer steps.</param>
/// <param name="BatchSize">Samples per step (a density-ratio head takes half from its shard, half from the reference set).</param>
/// <param name="LearningRate">Adam learning rate.</param>
/// <param name="Seed">Seeds data order, timesteps and noise.</param>
/// <param name="LabelDropout">Probability of replacing a class label by the null class, so a class-conditioned router also works unconditionally.</param>
public sealed record RouterTrainingOptions(int Steps = 2000, int BatchSize = 128, double LearningRate = 2e-3, long Seed = 0, double LabelDropout = 0.1);
