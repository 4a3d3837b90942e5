namespace CdmNotebooks.Diffusion;

/// <summary>Why a checkpoint could not be loaded.</summary>
public enum CheckpointErrorKind
{
    /// <summary>No checkpoint file at the given path.</summary>
    Missing,

    /// <summary>The file is truncated, has a bad checksum or cannot be parsed.</summary>
    Corrupt,

    /// <summary>The stored configuration or tensor shapes differ from what the caller asked for.</summary>
    ConfigMismatch,

    /// <summary>The checkpoint was trained on different data than the caller asked for.</summary>
    DataIdentityMismatch,
}
