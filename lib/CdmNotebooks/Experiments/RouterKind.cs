namespace CdmNotebooks.Experiments;

/// <summary>The ways to obtain the composition weights w_i(x, t) compared in the experiments (experiments.md, "Ways to get w_i").</summary>
public enum RouterKind
{
    /// <summary>w = lambda (class-conditional shard priors): the baseline the paper beats.</summary>
    Naive,

    /// <summary>The paper's router: one time-conditioned classifier over all shards' noised data.</summary>
    Classifier,

    /// <summary>One density-ratio head per shard against a public reference set; forgetting touches one head.</summary>
    Compartmentalized,

    /// <summary>Training-free weights from each model's likelihood along the ancestral sampling path.</summary>
    ItoDensity,

    /// <summary>The random-pick baseline: one shard drawn per sample from lambda(y) at t = T and used alone (exact for a fixed-weight mixture).</summary>
    RandomPick,
}
