using System.Text.Json;
using System.Text.Json.Serialization;

namespace CdmNotebooks.Composition;

/// <summary>Reads and writes a <see cref="RouterKind"/> as its name, so registries and caches hold the spelling the CLI accepts.</summary>
internal sealed class RouterKindJsonConverter : JsonConverter<RouterKind>
{
    public override RouterKind Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
            ? Parse(reader.GetString()!)
            : throw new JsonException($"A router kind is a string ({RouterKindNames.AllNames}), not {reader.TokenType}.");

    public override void Write(Utf8JsonWriter writer, RouterKind value, JsonSerializerOptions options) => writer.WriteStringValue(value.Name());

    public override RouterKind ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => Parse(reader.GetString()!);

    public override void WriteAsPropertyName(Utf8JsonWriter writer, RouterKind value, JsonSerializerOptions options) => writer.WritePropertyName(value.Name());

    private static RouterKind Parse(string name)
    {
        try
        {
            return RouterKindNames.Parse(name);
        }
        catch (ArgumentException e)
        {
            throw new JsonException(e.Message, e);
        }
    }
}
