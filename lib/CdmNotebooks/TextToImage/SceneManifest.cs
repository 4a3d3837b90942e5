using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using CdmNotebooks.Data;
using CdmNotebooks.IO;

namespace CdmNotebooks.TextToImage;

/// <summary>The committed description of the captioned-scene dataset (data-manifests/datasets/scenes.json): generator version and seed, counts, vocabulary, grammar and checksums that regeneration must reproduce.</summary>
public sealed record SceneManifest
{
    /// <summary>File name under data-manifests/datasets/.</summary>
    public const string FileName = "scenes.json";

    private static readonly JsonSerializerOptions _json = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // keeps '+' readable in the committed JSON
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public required string Name { get; init; }
    public required string Description { get; init; }
    public required int GeneratorVersion { get; init; }
    public required int Seed { get; init; }
    public required int CellSize { get; init; }
    public required int CanvasSize { get; init; }
    public required int HeldOutPromptPercent { get; init; }
    public required int TrainScenes { get; init; }
    public required int HeldOutScenes { get; init; }
    public required int TrainPrompts { get; init; }
    public required int HeldOutPrompts { get; init; }
    public required IReadOnlyList<int> TrainScenesByObjectCount { get; init; }
    public required string TrainSources { get; init; }
    public required string HeldOutSources { get; init; }
    public required IReadOnlyList<string> Vocabulary { get; init; }
    public required string Grammar { get; init; }

    /// <summary><see cref="DataIdentity.Of"/> over every scene ID (training and held-out).</summary>
    public required string SceneIdsSha256 { get; init; }

    /// <summary>sha256 of the scene list text (one line per scene: ID, caption, source IDs, tab-separated): any change to any scene changes it.</summary>
    public required string ContentSha256 { get; init; }

    /// <summary><see cref="DataIdentity.Of"/> over the distinct source sample IDs the training scenes use.</summary>
    public required string TrainSourceIdsSha256 { get; init; }

    /// <summary>The generator configuration this manifest records.</summary>
    public SceneDatasetConfig ToConfig() => new()
    {
        GeneratorVersion = GeneratorVersion,
        Seed = Seed,
        TrainScenes = TrainScenes,
        HeldOutScenes = HeldOutScenes,
        HeldOutPromptPercent = HeldOutPromptPercent,
        CellSize = CellSize,
    };

    /// <summary>The default manifest path: data-manifests/datasets/scenes.json of the repository (or of <paramref name="manifestsDirectory"/>).</summary>
    public static string DefaultPath(string? manifestsDirectory = null) =>
        Path.Combine(manifestsDirectory ?? RepositoryPaths.Manifests, "datasets", FileName);

    /// <summary>Reads a manifest with a clear error when absent or malformed.</summary>
    public static SceneManifest Load(string path)
    {
        const string Fix = "Restore it from git (git checkout -- data-manifests) or regenerate it with `cdm scenes generate`.";
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Scene manifest '{path}' is missing. {Fix}", path);
        }

        try
        {
            return JsonSerializer.Deserialize<SceneManifest>(File.ReadAllText(path), _json)
                   ?? throw new DataFormatException(path, "the manifest is empty.", Fix);
        }
        catch (JsonException ex)
        {
            throw new DataFormatException(path, $"not a valid scene manifest ({ex.Message}).", Fix, ex);
        }
    }

    /// <summary>Writes the manifest atomically as indented JSON with a trailing newline.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, _json) + "\n");
}
