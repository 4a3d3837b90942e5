namespace CdmNotebooks.Tests.Kernel;

/// <summary>Drives the built C# kernel with the real jupyter_client (environment/kernel/tests/protocol_check.py).</summary>
/// <remarks>Checks share a kernel in two groups, since each kernel start costs seconds of Roslyn warm-up on 2 cores.</remarks>
public sealed class KernelProtocolTests
{
    [Theory]
    [InlineData("execute_state,errors,display,malformed")]
    [InlineData("interrupt,bad_signature,forged_control,abandon,shutdown")]
    public void KernelPassesProtocolChecks(string checks)
    {
        var script = Path.Combine(PythonDriver.RepositoryRoot, "environment", "kernel", "tests", "protocol_check.py");
        var (exitCode, output) = PythonDriver.Run(PythonDriver.Python, [script, "--kernel-dll", PythonDriver.KernelDll, "--check", checks], TimeSpan.FromMinutes(4));
        var failed = checks.Split(',').Where(check => !output.Contains($"PASS {check}")).ToList();
        Assert.True(exitCode == 0 && failed.Count == 0, $"protocol checks {string.Join(", ", failed)} failed (exit {exitCode}):\n{output}");
    }
}
