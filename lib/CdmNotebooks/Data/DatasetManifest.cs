using System.Text.Json;
using System.Text.Json.Serialization;

namespace CdmNotebooks.Data;

/// <summary>A committed description of one dataset (data-manifests/datasets/NAME.json): source, files with checksums of their decompressed content, and counts.</summary>
public sealed record DatasetManifest
{
    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public required string Name { get; init; }
    public required string Source { get; init; }
    public required string InstallCommand { get; init; }
    public required string DefaultDirectory { get; init; }
    public required string Range { get; init; }
    public required IReadOnlyList<string> Classes { get; init; }
    public required IReadOnlyList<DatasetFileEntry> Files { get; init; }
    public required IReadOnlyDictionary<string, PartCounts> Parts { get; init; }
    public string? HeldOutIdsFile { get; init; }
    public string? HeldOutIdsSha256 { get; init; }

    /// <summary>Reads data-manifests/datasets/<paramref name="name"/>.json with a clear error when absent or malformed.</summary>
    public static DatasetManifest Load(string name, string manifestsDirectory)
    {
        var path = Path.Combine(manifestsDirectory, "datasets", name + ".json");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"Dataset manifest '{path}' is missing. Known datasets: fashion-mnist, mnist10k, union. " +
                "Restore it from git (git checkout -- data-manifests) or pass the right manifests folder.", path);
        }

        try
        {
            return JsonSerializer.Deserialize<DatasetManifest>(File.ReadAllText(path), JsonOptions)
                   ?? throw new DataFormatException(path, "the manifest is empty.", "Restore it from git: git checkout -- data-manifests.");
        }
        catch (JsonException ex)
        {
            throw new DataFormatException(path, $"the manifest is not valid JSON for a dataset manifest ({ex.Message}).",
                "Restore it from git: git checkout -- data-manifests.", ex);
        }
    }

    /// <summary>The file entry for <paramref name="role"/>, or a clear error naming the manifest.</summary>
    public DatasetFileEntry FileFor(string role) =>
        Files.FirstOrDefault(f => f.Role == role)
        ?? throw new InvalidOperationException($"Dataset manifest '{Name}' has no file with role '{role}'.");
}

/// <summary>One raw file of a dataset: its role, accepted file names, sha256 of decompressed content and number of samples it holds.</summary>
public sealed record DatasetFileEntry(string Role, IReadOnlyList<string> Names, string Sha256, int Count);

/// <summary>Sample counts of one part (train/test) in total and per class.</summary>
public sealed record PartCounts(int Count, IReadOnlyList<int> ClassCounts);
