namespace CdmNotebooks.Experiments;

/// <summary>One reproducible experiment of the paper: the same object runs from `cdm reproduce NAME` and from its notebook.</summary>
public interface IExperiment
{
    /// <summary>The name used on the command line and in results/ (table1, forgetting, ...).</summary>
    string Name { get; }

    /// <summary>The question the experiment answers, in one sentence.</summary>
    string Question { get; }

    /// <summary>Runs the protocol for <paramref name="run"/>'s profile, reusing cached models and already-measured rows, and writes results.</summary>
    ExperimentReport Run(ExperimentRun run);
}
