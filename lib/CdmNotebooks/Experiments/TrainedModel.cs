using CdmNotebooks.Diffusion;

namespace CdmNotebooks.Experiments;

/// <summary>A finished, cached training: where its checkpoint is, what data it saw, and what it cost.</summary>
public sealed record TrainedModel(string CheckpointPath, TrainingDataIdentity Data, int TrainSteps, double TrainSeconds, int ResumedFromStep, bool FromCache)
{
    /// <summary>Loads the EMA denoiser, checking that the checkpoint was trained on <see cref="Data"/>.</summary>
    public UNetDenoiser LoadDenoiser() => Checkpoint.LoadDenoiser(CheckpointPath, Data);
}
