using CdmNotebooks.Composition;
using CdmNotebooks.Composition.Registry;

namespace CdmNotebooks.Experiments.AccessRights;

/// <summary>What E7 measures under a profile: the split whose shards are entitled, the router kinds composed, and the access policy.</summary>
/// <param name="Split">A by-class split, so an entitlement visibly decides which classes a user can generate.</param>
/// <param name="Routers">Router kinds to compose with; trained ones must weigh shards independently (compartmentalized), so an unentitled shard's head is never loaded either.</param>
/// <param name="Policy">Users, roles and the shards (by split index) they are entitled to.</param>
public sealed record AccessRightsSettings(string Split, IReadOnlyList<RouterKind> Routers, AccessPolicy Policy)
{
    /// <summary>The settings of <paramref name="profile"/>: smoke composes with the compartmentalized router only (CI budget).</summary>
    public static AccessRightsSettings For(string profile)
    {
        const string split = "fashion-mnist-by-class-8";
        string S(int shard) => $"{split}.s{shard}";

        // fashion-mnist-by-class-8: s0 = sneaker+bag, s1 = sandal+ankle boot, s2 = dress, s3 = trouser, s4 = T-shirt, s5 = pullover, s6 = shirt, s7 = coat.
        var policy = new AccessPolicy(
            new Dictionary<string, IReadOnlyList<string>>
            {
                ["all-data"] = Enumerable.Range(0, 8).Select(S).ToList(),
                ["footwear-and-bags"] = [S(0), S(1)],
                ["tops"] = [S(4), S(5), S(6), S(7)],
            },
            new Dictionary<string, UserGrant>
            {
                ["analyst"] = new(["all-data"], null),
                ["footwear-partner"] = new(["footwear-and-bags"], null),
                ["apparel-partner"] = new(["tops"], [S(2)]),
                ["trouser-licensee"] = new(null, [S(3)]),
            });
        return profile switch
        {
            "smoke" => new(split, [RouterKind.Compartmentalized], policy),
            "standard" or "paper" => new(split, [RouterKind.Compartmentalized, RouterKind.Ito], policy),
            _ => throw new ArgumentException($"Unknown profile '{profile}'. Use smoke, standard or paper.", nameof(profile)),
        };
    }

    /// <summary>The sizes of <paramref name="profile"/>: standard is Table 1's standard scale (its budget fits E7 in an hour); smoke is Table 1's smoke scale (1,200 paragon-equivalent steps over the 8 shards, enough for each shard to draw its own classes, which the quality check needs) with 20 sampler steps.</summary>
    public static ExperimentScale Scale(string profile) => profile switch
    {
        "standard" => ExperimentScale.Shared("standard"),
        "smoke" => ExperimentScale.Shared("smoke") with { SamplerSteps = 20 },
        _ => ExperimentScale.For(profile),
    };
}
