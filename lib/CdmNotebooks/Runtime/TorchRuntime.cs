using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CdmNotebooks.Runtime;

/// <summary>Process-wide workarounds for the CPU libtorch build we ship, applied once before the first convolution.</summary>
public static class TorchRuntime
{
    /// <summary>The instruction-set cap given to oneDNN unless the user chose one (DNNL_MAX_CPU_ISA) or set CDM_ONEDNN.</summary>
    public const string DefaultIsaCap = "AVX2";

    private static int _applied;

    /// <summary>Applies the workarounds when the library loads, so every network (UNet, router, feature classifier) and every test gets them before oneDNN initializes.</summary>
#pragma warning disable CA2255 // A library-level initializer is the point: oneDNN reads its ISA cap once, at its first kernel.
    [ModuleInitializer]
    internal static void OnLibraryLoad() => ApplyWorkarounds();
#pragma warning restore CA2255

    /// <summary>How oneDNN runs in this process: "avx2" (capped, the default), "off" (libtorch's fallback kernels), "native" (unchanged), or "user:ISA".</summary>
    public static string OneDnnMode { get; private set; } = "native";

    /// <summary>
    /// Caps oneDNN at AVX2 unless the user chose otherwise. With libtorch 2.10 (TorchSharp 0.107) oneDNN back-propagates convolutions
    /// with fewer output channels than its SIMD block wrongly (see <see cref="NarrowConvolution"/>): the block is 8 under the AVX2 cap
    /// and 16 with AVX-512, and the library's networks use multiples of 8 (smoke) or 16, so the cap keeps all of them correct while
    /// staying fast: standard UNet training 159 images/s (40.5 % of matmul) against 218 uncapped and 40 with oneDNN off
    /// (docs/benchmarks.md). CDM_ONEDNN=off switches oneDNN off, CDM_ONEDNN=native leaves it alone, and a DNNL_MAX_CPU_ISA set by
    /// the user is respected. `cdm bench --onednn-check N` compares oneDNN with libtorch's own kernels on this machine.
    /// </summary>
    public static void ApplyWorkarounds()
    {
        if (Interlocked.Exchange(ref _applied, 1) == 1 || !OperatingSystem.IsLinux())
        {
            return;
        }

        var mode = Environment.GetEnvironmentVariable("CDM_ONEDNN")?.Trim().ToLowerInvariant();
        var userIsa = Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA");
        switch (mode)
        {
            case null or "" or "avx2" when !string.IsNullOrEmpty(userIsa):
                OneDnnMode = "user:" + userIsa;
                break;
            case null or "" or "avx2":
                // .NET's Environment.SetEnvironmentVariable does not reach the native environ that oneDNN's getenv reads.
                if (SetNativeEnvironment("DNNL_MAX_CPU_ISA", DefaultIsaCap, overwrite: 0) == 0)
                {
                    OneDnnMode = "avx2";
                }

                break;
            case "off":
                try
                {
                    // TorchSharp exposes no switch for this; call at::globalContext().setUserEnabledMkldnn(false) directly.
                    SetUserEnabledMkldnn(GlobalContext(), false);
                    OneDnnMode = "off";
                }
                catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
                {
                    // A different libtorch build without these symbols: nothing to switch off.
                }

                break;
            case "native":
                break;
            default:
                throw new InvalidOperationException($"CDM_ONEDNN='{mode}' is not understood; use avx2 (default), off or native.");
        }
    }

    /// <summary>Switches oneDNN on or off for this process (libtorch then uses its own kernels); used by <see cref="OneDnnCheck"/> to compute references.</summary>
    /// <exception cref="PlatformNotSupportedException">The loaded libtorch does not export the switch.</exception>
    public static void SetOneDnnEnabled(bool enabled)
    {
        try
        {
            SetUserEnabledMkldnn(GlobalContext(), enabled);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new PlatformNotSupportedException("This libtorch build does not export at::Context::setUserEnabledMkldnn, so oneDNN cannot be switched at run time.", e);
        }
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetNativeEnvironment(string name, string value, int overwrite);

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr GlobalContext();

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static extern void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);
}
