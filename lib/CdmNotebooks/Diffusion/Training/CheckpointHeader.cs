namespace CdmNotebooks.Diffusion;

/// <summary>The JSON header of a checkpoint: format version, step, full training configuration and data identity.</summary>
/// <remarks>Random state is fully determined by (Config.Seed, Step) because every step draws from its own seeded generator, so no generator bytes are stored.</remarks>
public sealed record CheckpointHeader(int Format, int Step, TrainingConfig Config, TrainingDataIdentity Data, DateTime CreatedUtc, double LastLoss);
