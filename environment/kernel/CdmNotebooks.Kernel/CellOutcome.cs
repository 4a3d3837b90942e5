namespace CdmNotebooks.Kernel;

/// <summary>How one cell ended: a value to show (or none), or an error in Jupyter's ename/evalue/traceback form.</summary>
public sealed record CellOutcome(bool Succeeded, object? ReturnValue, bool HasReturnValue, string ErrorName, string ErrorValue, IReadOnlyList<string> Traceback)
{
    /// <summary>A cell that ran to the end.</summary>
    public static CellOutcome Success(object? value, bool hasValue) => new(true, value, hasValue, "", "", Array.Empty<string>());

    /// <summary>A cell that failed to compile, threw, or was interrupted.</summary>
    public static CellOutcome Failure(string name, string value, IReadOnlyList<string> traceback) =>
        new(false, null, false, name, value, traceback);
}
