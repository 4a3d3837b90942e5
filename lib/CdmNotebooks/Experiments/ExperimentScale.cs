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

    /// <summary>
    /// The scale the paper's experiments share under <paramref name="profile"/> (Table 1, the convergence and recipe studies, E2-E5 and E7),
    /// so each reuses the others' cached models: the profile's model with a paragon budget chosen for a 2-core CPU (how: docs/benchmarks.md,
    /// "How the experiments' settings were found"); the paper profile is <see cref="For"/>'s.
    /// </summary>
    public static ExperimentScale Shared(string profile) => profile switch
    {
        "smoke" => SharedSmoke(),
        "standard" => SharedStandard(),
        _ => For(profile),
    };

    /// <summary>The smoke scale: the pipeline's smoke model with fewer steps and samples, so the experiments' smoke runs together fit the CI budget (training dominates: each split costs one paragon).</summary>
    private static ExperimentScale SharedSmoke()
    {
        var scale = ExperimentScale.For("smoke");
        return scale with
        {
            // Enough steps at a high peak rate that even a by-class-8 shard (1/8 of them) learns its classes (docs/benchmarks.md,
            // "How the experiments' settings were found").
            Paragon = scale.Paragon with { BatchSize = 16, TrainSteps = 1200, CheckpointEvery = 300, LearningRate = 2e-3, WarmupSteps = 40 },
            SamplesPerClass = 10,
            RouterTraining = scale.RouterTraining with { Steps = 100 },
        };
    }

    /// <summary>The standard scale: the standard model with a paragon budget that kept the scratch Table 1 grid within 120 minutes.</summary>
    /// <remarks>
    /// Compute parity makes every split of a dataset cost one paragon, so the grid costs (1 + schemes x shard counts) = 7 paragons
    /// of training plus sampling every method. The step and sample counts below come from the rates recorded in docs/benchmarks.md.
    /// </remarks>
    private static ExperimentScale SharedStandard()
    {
        var scale = ExperimentScale.For("standard");
        return scale with
        {
            // Seven paragon-equivalents of training plus every method's sampling fit 120 minutes on 2 cores; batch 16 gives an 8-way
            // shard 4x the optimizer steps at the same cost per image (rates and the batch study: docs/benchmarks.md, "How the
            // experiments' settings were found").
            Paragon = scale.Paragon with { BatchSize = 16, TrainSteps = 3200, WarmupSteps = 320, CheckpointEvery = 800 },
            SamplesPerClass = 30,
            SamplerSteps = 50,
            RouterTraining = scale.RouterTraining with { Steps = 300 },
        };
    }
}
