using CdmNotebooks.Reporting;

namespace CdmNotebooks.Experiments;

/// <summary>What an experiment run produced: its result tables, figure files, and the sanity checks (properties that can fail) it verified.</summary>
public sealed record ExperimentReport(
    string Experiment,
    string Profile,
    IReadOnlyDictionary<string, ResultTable> Tables,
    IReadOnlyList<string> Files,
    IReadOnlyList<SanityCheck> Checks)
{
    /// <summary>True when every sanity check passed.</summary>
    public bool Passed => Checks.All(c => c.Passed);
}
