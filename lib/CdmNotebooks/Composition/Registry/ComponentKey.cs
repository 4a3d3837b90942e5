namespace CdmNotebooks.Composition.Registry;

/// <summary>Formats and parses <c>name@vN</c> keys naming one version of a registry component.</summary>
public static class ComponentKey
{
    /// <summary>The key of version <paramref name="version"/> of <paramref name="name"/>.</summary>
    public static string Of(string name, int version) => $"{name}@v{version}";

    /// <summary>Splits <c>name@vN</c> (or a bare <c>name</c>, version null = the active one).</summary>
    public static (string Name, int? Version) Parse(string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        var at = key.LastIndexOf("@v", StringComparison.Ordinal);
        if (at < 0)
        {
            return (key, null);
        }

        if (!int.TryParse(key.AsSpan(at + 2), out var version) || version < 1)
        {
            throw new FormatException($"'{key}' is not a component key: expected 'name' or 'name@vN' with N >= 1.");
        }

        return (key[..at], version);
    }

    /// <summary>Throws unless <paramref name="name"/> is usable as a folder name and cannot be confused with a key.</summary>
    public static void Validate(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Contains("@v", StringComparison.Ordinal) || name.IndexOfAny(['/', '\\', ':', '*', '?']) >= 0 || name.StartsWith('.'))
        {
            throw new ArgumentException(
                $"Component name '{name}' is invalid: use letters, digits, '.', '-' and '_' (no '/', '@v', or leading '.').", nameof(name));
        }
    }
}
