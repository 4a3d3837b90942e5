using System.Text.Json.Serialization;

namespace CdmNotebooks.Composition;

/// <summary>The ways to obtain the composition weights w_i(x, t) (experiments.md, "Ways to get w_i"); <see cref="RouterKindNames"/> spells them.</summary>
/// <remarks>JSON holds the kind's name (<c>"ito"</c>), as manifests written before this type existed do.</remarks>
[JsonConverter(typeof(RouterKindJsonConverter))]
public enum RouterKind
{
    /// <summary>w = lambda (class-conditional shard priors, no network): the baseline the paper beats.</summary>
    Naive,

    /// <summary>The paper's router: one time-conditioned classifier over all shards' noised data.</summary>
    Classifier,

    /// <summary>One density-ratio head per shard against a shared public reference set; forgetting touches one head.</summary>
    Compartmentalized,

    /// <summary>Training-free weights from each model's likelihood along the stochastic (ancestral) sampling path (Ito density estimator).</summary>
    Ito,

    /// <summary>The random-pick baseline: one shard drawn per sample from lambda(y) at t = T and used alone (exact for a fixed-weight mixture).</summary>
    RandomPick,
}
