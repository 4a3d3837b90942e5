using CdmNotebooks.Diffusion;

namespace CdmNotebooks.Experiments;

/// <summary>The paper's compute parity: a shard holding a fraction f of the data gets a fraction f of the paragon's optimizer steps (equal epochs), so a whole CDM costs what the paragon costs.</summary>
public static class ComputeParity
{
    /// <summary>The shard's configuration: the paragon's with train and warm-up steps scaled by <paramref name="fraction"/> (at least one step each).</summary>
    public static TrainingConfig ForShard(TrainingConfig paragon, double fraction)
    {
        ArgumentNullException.ThrowIfNull(paragon);
        if (!(fraction > 0 && fraction <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(fraction), $"A shard's data fraction must be in (0, 1]; got {fraction}.");
        }

        var steps = Math.Max(1, (int)Math.Round(paragon.TrainSteps * fraction));
        return paragon with
        {
            TrainSteps = steps,
            WarmupSteps = Math.Min(steps, Math.Max(1, (int)Math.Round(paragon.WarmupSteps * fraction))),
            CheckpointEvery = Math.Max(1, Math.Min(paragon.CheckpointEvery, steps)),
        };
    }
}
