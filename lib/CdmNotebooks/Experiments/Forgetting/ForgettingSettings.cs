using CdmNotebooks.Composition;
using CdmNotebooks.Data;

namespace CdmNotebooks.Experiments.Forgetting;

/// <summary>What E2 measures under a profile: which split in which training regime, which forgetting requests, and which router kinds the CDM is evaluated with.</summary>
/// <param name="Split">Canonical split of the CDM (8 shards: the paper's claim is stated at 8).</param>
/// <param name="Regime">Where the shards and the paragon start; in a fine-tuned regime forgetting re-fine-tunes only the affected shards from the base.</param>
/// <param name="Requests">Forgetting requests, each applied to the initial composition.</param>
/// <param name="TrainedRouters">Trained router kinds kept in the registry (updated by every request).</param>
/// <param name="EvaluatedRouters">Router kinds whose CDM is sampled and scored before and after each request.</param>
public sealed record ForgettingSettings(string Split, TrainingRegime Regime, IReadOnlyList<ForgetRequest> Requests, IReadOnlyList<RouterKind> TrainedRouters, IReadOnlyList<RouterKind> EvaluatedRouters)
{
    /// <summary>
    /// The settings of <paramref name="profile"/>. Smoke forgets from the in-domain split (Fashion-MNIST's private part, fine-tuned from a tiny
    /// base on its public part): its 12-step shards then draw their classes, so the quality checks can tell them from noise; it keeps one
    /// trained router so the run fits the CI budget. Standard is the cross-domain regime (issue 17: MNIST-10k shards fine-tuned from the
    /// Fashion-MNIST base), Table 1's shards and paragon. Paper stays from scratch: its split is Fashion-MNIST, the cross-domain base's own data.
    /// </summary>
    public static ForgettingSettings For(string profile) => profile switch
    {
        "smoke" => new($"{DatasetCatalog.PrivatePart}-uniform-8", TrainingRegime.FromPublicBase("smoke", DatasetCatalog.PublicPart), [ForgetRequest.Samples(1), ForgetRequest.Samples(10), ForgetRequest.WholeShard(0)],
            [RouterKind.Classifier], [RouterKind.Classifier]),
        // standard: Table 1's cross-domain mnist10k uniform-8 shards and paragon at Table 1's standard scale (same cache keys), so only
        // the retrainings a request causes are new compute.
        "standard" => new("mnist10k-uniform-8", TrainingRegime.FromPublicBase("standard", "fashion-mnist"), [ForgetRequest.Samples(1), ForgetRequest.Samples(10), ForgetRequest.WholeShard(0)],
            [RouterKind.Classifier, RouterKind.Compartmentalized], [RouterKind.Classifier, RouterKind.Compartmentalized, RouterKind.Ito]),
        "paper" => new("fashion-mnist-uniform-8", TrainingRegime.Scratch, [ForgetRequest.Samples(1), ForgetRequest.Samples(10), ForgetRequest.WholeShard(0)],
            [RouterKind.Classifier, RouterKind.Compartmentalized], [RouterKind.Classifier, RouterKind.Compartmentalized, RouterKind.Ito]),
        _ => throw new ArgumentException($"Unknown profile '{profile}'. Use smoke, standard or paper.", nameof(profile)),
    };

    /// <summary>The sizes of <paramref name="profile"/>: standard is Table 1's standard scale (shared models); smoke retrains the paragon three times and so trains 96 paragon steps (12 per shard), 100 samples and 20 sampler steps to fit the 4-minute CI budget.</summary>
    public static ExperimentScale Scale(string profile)
    {
        if (profile == "standard")
        {
            return ExperimentScale.Shared("standard");
        }

        var scale = ExperimentScale.For(profile);
        return profile == "smoke"
            ? scale with
            {
                Paragon = scale.Paragon with { TrainSteps = 96, WarmupSteps = 8, CheckpointEvery = 48 },
                SamplesPerClass = 10,
                SamplerSteps = 20,
                RouterTraining = scale.RouterTraining with { Steps = 60 },
            }
            : scale;
    }
}
