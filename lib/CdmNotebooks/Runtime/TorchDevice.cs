using TorchSharp;
using static TorchSharp.torch;

namespace CdmNotebooks.Runtime;

/// <summary>The one place that chooses the compute device: option, else CDM_DEVICE, else CUDA if available, else CPU.</summary>
public static class TorchDevice
{
    /// <summary>Environment variable that overrides the default device ("cpu", "cuda", "cuda:1").</summary>
    public const string EnvironmentVariable = "CDM_DEVICE";

    /// <summary>The default device for this process (see <see cref="Resolve"/>).</summary>
    public static Device Default => Resolve(null);

    /// <summary>Resolves <paramref name="requested"/> (e.g. from a CLI option) or, when null/empty, CDM_DEVICE, or CUDA if available, else CPU.</summary>
    public static Device Resolve(string? requested)
    {
        var name = string.IsNullOrWhiteSpace(requested) ? Environment.GetEnvironmentVariable(EnvironmentVariable) : requested;
        if (string.IsNullOrWhiteSpace(name))
        {
            return cuda.is_available() ? CUDA : CPU;
        }

        name = name.Trim().ToLowerInvariant();
        if (name.StartsWith("cuda", StringComparison.Ordinal) && !cuda.is_available())
        {
            throw new InvalidOperationException(
                $"Device '{name}' was requested (option or {EnvironmentVariable}) but CUDA is not available in this build. " +
                "Use 'cpu', or build with -p:TorchBackend=cuda on a machine with an NVIDIA GPU.");
        }

        try
        {
            return new Device(name);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new ArgumentException($"Unknown device '{name}'; expected 'cpu', 'cuda' or 'cuda:N'.", nameof(requested), e);
        }
    }
}
