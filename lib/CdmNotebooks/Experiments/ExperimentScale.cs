using CdmNotebooks.Composition;
using CdmNotebooks.Diffusion;

namespace CdmNotebooks.Experiments;

/// <summary>How big an experiment runs under a profile: the paragon's training configuration (shards derive theirs by compute parity), sampling and router sizes.</summary>
/// <param name="Paragon">Training configuration of the model trained on all data; a shard with a fraction f of the data gets f of its steps.</param>
/// <param name="SamplesPerClass">Generated images per class for each evaluated method.</param>
/// <param name="Sampler">Sampler name (ddpm is ancestral: required by the Ito-density router).</param>
/// <param name="SamplerSteps">Denoiser evaluations per sample.</param>
/// <param name="Router">Router network size (classifier and compartmentalized heads).</param>
/// <param name="RouterTraining">Router training budget: steps and batch of the classifier and of each compartmentalized head.</param>
public sealed record ExperimentScale(
    TrainingConfig Paragon,
    int SamplesPerClass,
    string Sampler,
    int SamplerSteps,
    RouterNetworkConfig Router,
    RouterTrainingOptions RouterTraining)
{
    /// <summary>The default scale of each profile. smoke: about a minute of training per model family on 2 cores; standard: the CPU reproduction; paper: GPU scale (documented, not run here).</summary>
    public static ExperimentScale For(string profile, int classCount = 10) => profile switch
    {
        "smoke" => new ExperimentScale(
            ModelProfiles.Get("smoke", classCount) with { BatchSize = 32, TrainSteps = 300, WarmupSteps = 20, CheckpointEvery = 100 },
            SamplesPerClass: 20, Sampler: "ddpm", SamplerSteps: 40,
            new RouterNetworkConfig(1, 2, BaseChannels: 8, TimeFeatures: 32, Classes: classCount),
            new RouterTrainingOptions(Steps: 150, BatchSize: 64)),
        "standard" => new ExperimentScale(
            ModelProfiles.Get("standard", classCount),
            SamplesPerClass: 200, Sampler: "ddpm", SamplerSteps: 100,
            new RouterNetworkConfig(1, 2, BaseChannels: 32, TimeFeatures: 64, Classes: classCount),
            new RouterTrainingOptions(Steps: 2000, BatchSize: 128)),
        "paper" => new ExperimentScale(
            ModelProfiles.Get("paper", classCount),
            SamplesPerClass: 1000, Sampler: "ddpm", SamplerSteps: 250,
            new RouterNetworkConfig(1, 2, BaseChannels: 64, TimeFeatures: 128, Classes: classCount),
            new RouterTrainingOptions(Steps: 20000, BatchSize: 256)),
        _ => throw new ArgumentException($"Unknown profile '{profile}'. Use smoke, standard or paper.", nameof(profile)),
    };
}
