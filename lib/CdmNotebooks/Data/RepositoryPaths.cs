namespace CdmNotebooks.Data;

/// <summary>Locates the repository (the folder holding CdmNotebooks.sln) so manifests and caches resolve from any working directory.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> _root = new(FindRoot);

    /// <summary>The repository root: $CDM_HOME if set, else the nearest ancestor of the working directory or of this assembly holding CdmNotebooks.sln.</summary>
    public static string Root => _root.Value;

    /// <summary>The committed manifests folder, <c>data-manifests/</c>.</summary>
    public static string Manifests => Path.Combine(Root, "data-manifests");

    /// <summary>The folder for trained artifacts and caches (<c>$CDM_CACHE</c> or <c>.cdm-cache/</c> under the root); never committed.</summary>
    public static string Cache =>
        Environment.GetEnvironmentVariable("CDM_CACHE") is { Length: > 0 } cache ? Path.GetFullPath(cache) : Path.Combine(Root, ".cdm-cache");

    private static string FindRoot()
    {
        if (Environment.GetEnvironmentVariable("CDM_HOME") is { Length: > 0 } home)
        {
            if (!File.Exists(Path.Combine(home, "CdmNotebooks.sln")))
            {
                throw new DirectoryNotFoundException(
                    $"CDM_HOME is set to '{home}', which holds no CdmNotebooks.sln. Point CDM_HOME at the repository root or unset it.");
            }

            return Path.GetFullPath(home);
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir != null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "CdmNotebooks.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException(
            "Could not find the CdmNotebooks repository (a folder holding CdmNotebooks.sln) above the working directory " +
            $"'{Directory.GetCurrentDirectory()}' or the program '{AppContext.BaseDirectory}'. Run from inside the repository or set CDM_HOME.");
    }
}
