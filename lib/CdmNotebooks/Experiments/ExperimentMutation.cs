namespace CdmNotebooks.Experiments;

/// <summary>A component an experiment run breaks on purpose, so a mutation test can show that the run's verdict fails with it (a check that cannot fail checks nothing).</summary>
public enum ExperimentMutation
{
    /// <summary>Nothing is broken: the real run.</summary>
    None,

    /// <summary>Every model the run samples from (single shard, paragon or composition) returns noise instead of its prediction.</summary>
    NoiseDenoiser,

    /// <summary>Every router the pipeline builds is replaced by naive averaging (weights = the global priors, blind to the sample and its class).</summary>
    NaiveRouter,
}
