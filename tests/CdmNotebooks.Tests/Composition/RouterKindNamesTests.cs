using System.Text.Json;
using CdmNotebooks.Composition;
using CdmNotebooks.Composition.Registry;

namespace CdmNotebooks.Tests.Composition;

public sealed class RouterKindNamesTests
{
    [Fact]
    public void EveryKindHasOneNameThatParsesBackToIt()
    {
        Assert.Equal(Enum.GetValues<RouterKind>(), RouterKindNames.All);
        Assert.Equal(["naive", "classifier", "compartmentalized", "ito", "random-pick"], RouterKindNames.All.Select(RouterKindNames.Name));
        foreach (var kind in RouterKindNames.All)
        {
            Assert.Equal(kind, RouterKindNames.Parse(kind.Name()));
        }
    }

    [Theory]
    [InlineData("ito-density")]
    [InlineData("Ito")]
    [InlineData("")]
    public void OtherSpellingsAreRefusedNamingTheAcceptedOnes(string name)
    {
        var error = Assert.Throws<ArgumentException>(() => RouterKindNames.Parse(name));
        Assert.StartsWith($"Unknown router kind '{name}'. Use one of: naive, classifier, compartmentalized, ito, random-pick.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnlyClassifierAndCompartmentalizedRoutersAreTrained()
    {
        Assert.Equal([RouterKind.Classifier, RouterKind.Compartmentalized], RouterKindNames.All.Where(RouterKindNames.IsTrained));
    }

    [Fact]
    public void ManifestsStoreTheKindByNameSoRegistriesWrittenBeforeTheEnumStillLoad()
    {
        var manifest = new RouterManifest("split.compartmentalized", 1, RouterKind.Compartmentalized, ["a"], [], null, [], "initial", DateTimeOffset.UnixEpoch);
        var json = JsonSerializer.Serialize(manifest, RegistryJson.Options);
        Assert.Contains("\"kind\": \"compartmentalized\"", json, StringComparison.Ordinal);
        Assert.Equal(manifest.Kind, JsonSerializer.Deserialize<RouterManifest>(json, RegistryJson.Options)!.Kind);

        var renamed = json.Replace("\"compartmentalized\"", "\"Compartmentalized\"", StringComparison.Ordinal);
        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<RouterManifest>(renamed, RegistryJson.Options));
        Assert.Contains("Unknown router kind 'Compartmentalized'", error.Message, StringComparison.Ordinal);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<RouterKind>("3"));
    }
}
