using System.Text.Json;
using System.Text.Json.Serialization;
using CdmNotebooks.IO;

namespace CdmNotebooks.Composition.Registry;

/// <summary>The JSON settings shared by every registry file (manifests, index, policy, audit log).</summary>
internal static class RegistryJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static JsonSerializerOptions Compact { get; } = new(Options) { WriteIndented = false };

    public static T Read<T>(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Registry file '{path}' does not exist.", path);
        }

        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options)
                ?? throw new InvalidDataException($"Registry file '{path}' holds JSON null; expected a {typeof(T).Name}.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Registry file '{path}' is not a valid {typeof(T).Name}: {e.Message}", e);
        }
    }

    public static void Write<T>(string path, T value) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(value, Options) + "\n");
}
