using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CdmNotebooks.Runtime;

/// <summary>Process-wide workarounds for the CPU libtorch build we ship, applied once before the first convolution.</summary>
public static class TorchRuntime
{
    private static int _applied;

    /// <summary>Applies the workarounds when the library loads, so every network (UNet, router, feature classifier) and every test gets them before oneDNN initializes.</summary>
#pragma warning disable CA2255 // A library-level initializer is the point: oneDNN reads the variable once, at its first kernel.
    [ModuleInitializer]
    internal static void OnLibraryLoad() => ApplyWorkarounds();
#pragma warning restore CA2255

    /// <summary>True when oneDNN (mkldnn) kernels were switched off by <see cref="ApplyWorkarounds"/>.</summary>
    public static bool OneDnnDisabled { get; private set; }

    /// <summary>
    /// Switches libtorch's oneDNN (mkldnn) kernels off on Linux: with libtorch 2.10 (TorchSharp 0.107) on this AVX-512 EPYC, 3x3
    /// convolution backward returned non-finite input gradients in 14 of 40 calls, and whole training runs diverged to NaN after one
    /// step; with oneDNN off it was 0 of 40 (about 2x slower convolutions, measured on the shared machine). Set CDM_KEEP_ONEDNN=1 to keep it.
    /// </summary>
    public static void ApplyWorkarounds()
    {
        if (Interlocked.Exchange(ref _applied, 1) == 1 || !OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("CDM_KEEP_ONEDNN") == "1")
        {
            return;
        }

        try
        {
            // TorchSharp exposes no switch for this; call at::globalContext().setUserEnabledMkldnn(false) directly.
            SetUserEnabledMkldnn(GlobalContext(), false);
            OneDnnDisabled = true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // A different libtorch build without these symbols: nothing to switch off.
        }
    }

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr GlobalContext();

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static extern void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);
}
