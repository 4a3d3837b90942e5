namespace CdmNotebooks.Diffusion;

/// <summary>A specific checkpoint loading failure: what went wrong (<see cref="Kind"/>), which file, and how to fix it.</summary>
public sealed class CheckpointException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CheckpointException(CheckpointErrorKind kind, string path, string message, Exception? inner = null)
        : base($"{message} (checkpoint: {path})", inner)
    {
        Kind = kind;
        Path = path;
    }

    /// <summary>The category of failure.</summary>
    public CheckpointErrorKind Kind { get; }

    /// <summary>The checkpoint file concerned.</summary>
    public string Path { get; }
}
