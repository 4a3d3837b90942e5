namespace CdmNotebooks.Diffusion;

/// <summary>Creates samplers by command-line name: "ddpm", "ddim" (eta option), "dpm++2m".</summary>
public static class SamplerFactory
{
    /// <summary>The accepted sampler names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["ddpm", "ddim", "dpm++2m"];

    /// <summary>Creates the sampler named <paramref name="name"/>; <paramref name="eta"/> applies to DDIM only.</summary>
    public static ISampler Create(string name, double eta = 0.0) => name.ToLowerInvariant() switch
    {
        "ddpm" => new DdpmSampler(),
        "ddim" => new DdimSampler(eta),
        "dpm++2m" or "dpmpp2m" => new DpmSolverPlusPlus2MSampler(),
        _ => throw new ArgumentException($"Unknown sampler '{name}'; expected one of: {string.Join(", ", Names)}.", nameof(name)),
    };
}
