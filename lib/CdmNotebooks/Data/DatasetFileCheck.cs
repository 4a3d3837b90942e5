namespace CdmNotebooks.Data;

/// <summary>The outcome of verifying one dataset file.</summary>
public sealed record DatasetFileCheck(string Dataset, string Role, string Path, bool Ok, string Detail);
