using CdmNotebooks.Reporting;

namespace CdmNotebooks.Experiments;

/// <summary>What an experiment run produced: its result tables, files, the charts and captioned images a notebook shows, and the sanity checks (properties that can fail) it verified.</summary>
public sealed record ExperimentReport(
    string Experiment,
    string Profile,
    IReadOnlyDictionary<string, ResultTable> Tables,
    IReadOnlyList<string> Files,
    IReadOnlyList<SanityCheck> Checks,
    IReadOnlyList<ChartSpec> Charts,
    IReadOnlyList<CaptionedImage> Images)
{
    /// <summary>True when every sanity check passed.</summary>
    public bool Passed => Checks.All(c => c.Passed);

    /// <summary>Returns the checks when all passed; otherwise throws, naming every failed check and its measured detail (a notebook's verdict cell, so a headless run is a test).</summary>
    /// <exception cref="SanityCheckFailedException">At least one check failed, or the run verified none.</exception>
    public IReadOnlyList<SanityCheck> EnsurePassed()
    {
        if (Checks.Count == 0)
        {
            throw new SanityCheckFailedException($"The {Experiment} run ({Profile} profile) verified no sanity checks, so it proves nothing; the experiment must report its checks.");
        }

        var failed = Checks.Where(c => !c.Passed).ToList();
        if (failed.Count > 0)
        {
            throw new SanityCheckFailedException(
                $"{failed.Count} of {Checks.Count} sanity checks of the {Experiment} run ({Profile} profile) failed: " +
                string.Join("; ", failed.Select(c => $"'{c.Name}': {c.Detail}")));
        }

        return Checks;
    }
}
