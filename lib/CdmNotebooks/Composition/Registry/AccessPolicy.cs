using System.Text.Json.Serialization;

namespace CdmNotebooks.Composition.Registry;

/// <summary>Entitlements: which shards each user may compose, directly or through roles (a JSON policy file).</summary>
/// <remarks>
/// File format: <c>{"roles": {"public": ["shard-a", "shard-b"]}, "users": {"alice": {"roles": ["public"], "shards": ["shard-c"]}}}</c>.
/// A user's entitlement is the union of their own shards and their roles' shards; there are no wildcards, so granting is always explicit.
/// </remarks>
public sealed record AccessPolicy(
    IReadOnlyDictionary<string, IReadOnlyList<string>> Roles,
    IReadOnlyDictionary<string, UserGrant> Users)
{
    /// <summary>The file the policy came from, for error messages (not serialized).</summary>
    [JsonIgnore]
    public string Source { get; init; } = "(in memory)";

    /// <summary>Reads a policy file; unknown roles referenced by a user are an error.</summary>
    public static AccessPolicy Load(string path)
    {
        var policy = RegistryJson.Read<AccessPolicy>(path) with { Source = Path.GetFullPath(path) };
        policy.Validate();
        return policy;
    }

    /// <summary>Writes the policy atomically.</summary>
    public void Save(string path)
    {
        Validate();
        RegistryJson.Write(path, this);
    }

    /// <summary>The shard names <paramref name="user"/> may compose; an unknown user is an error, never an empty grant.</summary>
    public IReadOnlySet<string> EntitledShards(string user)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        if (!Users.TryGetValue(user, out var grant))
        {
            throw new UnauthorizedAccessException(
                $"User '{user}' is not in the access policy {Source}; known users: {string.Join(", ", Users.Keys.Order(StringComparer.Ordinal))}. Ask the data owner to add them.");
        }

        var shards = new HashSet<string>(grant.Shards ?? [], StringComparer.Ordinal);
        foreach (var role in grant.Roles ?? [])
        {
            shards.UnionWith(Roles[role]);
        }

        return shards;
    }

    /// <summary>Checks that every shard the policy names exists in <paramref name="knownShards"/> (a typo would silently deny or grant nothing).</summary>
    public void RequireKnownShards(IEnumerable<string> knownShards)
    {
        var known = new HashSet<string>(knownShards, StringComparer.Ordinal);
        var unknown = Roles.Values.SelectMany(s => s).Concat(Users.Values.SelectMany(u => u.Shards ?? []))
            .Where(s => !known.Contains(s)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new KeyNotFoundException(
                $"The access policy {Source} names shards the registry does not have: {string.Join(", ", unknown)}. Fix the policy or register them.");
        }
    }

    private void Validate()
    {
        foreach (var (user, grant) in Users)
        {
            foreach (var role in grant.Roles ?? [])
            {
                if (!Roles.ContainsKey(role))
                {
                    throw new KeyNotFoundException($"User '{user}' in the access policy {Source} has role '{role}', which the policy does not define.");
                }
            }
        }
    }
}
