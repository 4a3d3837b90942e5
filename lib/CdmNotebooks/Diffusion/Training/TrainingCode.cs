using System.Reflection;

namespace CdmNotebooks.Diffusion;

/// <summary>
/// The revision of the code that decides what a training configuration produces: the sha256 of its sources, embedded at build time
/// (the TrainingSource items of CdmNotebooks.csproj). Model caches put it in their keys, so a change to the UNet, a loss, a schedule
/// or the trainer retrains every affected model rather than reusing one trained by older code; nobody has to remember a manual bump.
/// </summary>
public static class TrainingCode
{
    /// <summary>sha256 (hex) of the training sources this assembly was built from.</summary>
    public static string Revision { get; } =
        typeof(TrainingCode).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == "TrainingSourceHash")?.Value is { Length: 64 } hash
            ? hash
            : throw new InvalidOperationException("CdmNotebooks was built without its TrainingSourceHash metadata; build it with dotnet build (the csproj target EmbedTrainingSourceHash computes it).");
}
