namespace CdmNotebooks.Protection;

/// <summary>Outcome of a lineage check: which active components were verified and every violation found (empty = passed).</summary>
public sealed record LineageReport(int ForgottenIds, IReadOnlyList<string> CheckedComponents, IReadOnlyList<string> Violations)
{
    /// <summary>True when no active component was trained on a forgotten ID and every file matched its recorded hash.</summary>
    public bool Passed => Violations.Count == 0;
}
