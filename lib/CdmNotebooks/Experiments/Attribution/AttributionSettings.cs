namespace CdmNotebooks.Experiments.Attribution;

/// <summary>What E4 (attribution) measures under a profile: which splits, which routers, how many samples, and the pass threshold of its sanity check.</summary>
/// <param name="Scale">Model, sampler and router sizes (shards follow compute parity against <see cref="ExperimentScale.Paragon"/>).</param>
/// <param name="DomainSplit">The split whose shards hold different source domains (digits vs fashion).</param>
/// <param name="UniformSplit">An iid split of one dataset, where no shard should stand out.</param>
/// <param name="Routers">The ways of obtaining w_i whose credit is measured.</param>
/// <param name="SamplesPerClass">Generated images per requested class (10 classes) for each split and router.</param>
/// <param name="MinimumKappa">On the domain split, credit must agree with the judged domain with Cohen's kappa at least this (agreement beyond chance).</param>
public sealed record AttributionSettings(
    ExperimentScale Scale,
    string DomainSplit,
    string UniformSplit,
    IReadOnlyList<RouterKind> Routers,
    int SamplesPerClass,
    double MinimumKappa)
{
    /// <summary>Kappa 0.5: credit explains at least half of the agreement with the judged domain that chance does not.</summary>
    public const double DefaultMinimumKappa = 0.5;

    /// <summary>The settings of <paramref name="profile"/>.</summary>
    public static AttributionSettings For(string profile) => profile switch
    {
        "smoke" => new AttributionSettings(SmokeScale(), "union-by-domain-2", "mnist10k-uniform-4",
            [RouterKind.Classifier, RouterKind.ItoDensity], SamplesPerClass: 20, DefaultMinimumKappa),
        "standard" => new AttributionSettings(Table1.Table1Settings.StandardScale(), "union-by-domain-2", "mnist10k-uniform-8",
            [RouterKind.Classifier, RouterKind.ItoDensity], SamplesPerClass: 50, DefaultMinimumKappa),
        "paper" => new AttributionSettings(ExperimentScale.For("paper"), "union-by-domain-2", "fashion-mnist-uniform-8",
            [RouterKind.Classifier, RouterKind.Compartmentalized, RouterKind.ItoDensity], SamplesPerClass: 200, DefaultMinimumKappa),
        _ => throw new ArgumentException($"Unknown profile '{profile}'. Use smoke, standard or paper.", nameof(profile)),
    };

    /// <summary>The settings as name/value rows, for a notebook table and run.json.</summary>
    public IReadOnlyDictionary<string, string> Describe() => new Dictionary<string, string>
    {
        ["domain split"] = DomainSplit,
        ["uniform split"] = UniformSplit,
        ["routers"] = string.Join(", ", Routers.Select(AttributionExperiment.RouterToken)),
        ["samples per split and router"] = $"{SamplesPerClass * 10} ({SamplesPerClass} per class)",
        ["sampler"] = $"{Scale.Sampler}, {Scale.SamplerSteps} steps",
        ["paragon budget (shards: compute parity)"] = $"{Scale.Paragon.TrainSteps} steps of batch {Scale.Paragon.BatchSize}, UNet base {Scale.Paragon.Model.BaseChannels} channels",
        ["router training"] = $"{Scale.RouterTraining.Steps} steps of batch {Scale.RouterTraining.BatchSize}",
        ["check"] = $"kappa(credited domain, judged domain) >= {MinimumKappa} on the domain split",
    };

    /// <summary>The smoke scale of E4 (shared by E5's domain composition so both reuse the same cached union shards).</summary>
    public static ExperimentScale SmokeScale() => ExperimentScale.For("smoke");
}
