using System.Runtime.InteropServices;

namespace CdmNotebooks.Runtime;

/// <summary>Process-wide workarounds for the CPU libtorch build we ship, applied once before the first convolution.</summary>
public static class TorchRuntime
{
    /// <summary>oneDNN variable that caps the instruction set its kernels use.</summary>
    public const string OneDnnIsaVariable = "DNNL_MAX_CPU_ISA";

    private static int _applied;

    /// <summary>
    /// Caps oneDNN at AVX2 unless the user chose an ISA: with libtorch 2.10 (TorchSharp 0.107) on this AVX-512 EPYC, 3x3 convolution
    /// backward intermittently returned non-finite input gradients (about 1 call in 8); with AVX2 kernels it never did (measured 0/72).
    /// </summary>
    public static void ApplyWorkarounds()
    {
        if (Interlocked.Exchange(ref _applied, 1) == 1)
        {
            return;
        }

        // .NET's Environment.SetEnvironmentVariable does not reach native getenv on Unix, so set it in libc's environment.
        if (!OperatingSystem.IsWindows() && Environment.GetEnvironmentVariable(OneDnnIsaVariable) is null)
        {
            _ = SetEnv(OneDnnIsaVariable, "AVX2", 0);
        }
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
}
