namespace CdmNotebooks.Data;

/// <summary>A dataset or manifest file that exists but is wrong: bad checksum, corrupt or truncated content, wrong lengths.</summary>
public sealed class DataFormatException : Exception
{
    public DataFormatException(string path, string problem, string fix)
        : base($"{path}: {problem} {fix}")
    {
        FilePath = path;
    }

    public DataFormatException(string path, string problem, string fix, Exception inner)
        : base($"{path}: {problem} {fix}", inner)
    {
        FilePath = path;
    }

    /// <summary>The file at fault.</summary>
    public string FilePath { get; }
}
