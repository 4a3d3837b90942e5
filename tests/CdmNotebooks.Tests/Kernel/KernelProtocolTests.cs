namespace CdmNotebooks.Tests.Kernel;

/// <summary>Drives the built C# kernel with the real jupyter_client (environment/kernel/tests/protocol_check.py), one kernel per check.</summary>
public sealed class KernelProtocolTests
{
    [Theory]
    [InlineData("execute_state")]
    [InlineData("errors")]
    [InlineData("interrupt")]
    [InlineData("shutdown")]
    [InlineData("bad_signature")]
    [InlineData("display")]
    public void KernelPassesProtocolCheck(string check)
    {
        var script = Path.Combine(PythonDriver.RepositoryRoot, "environment", "kernel", "tests", "protocol_check.py");
        var (exitCode, output) = PythonDriver.Run(PythonDriver.Python, [script, "--kernel-dll", PythonDriver.KernelDll, "--check", check], TimeSpan.FromMinutes(3));
        Assert.True(exitCode == 0 && output.Contains($"PASS {check}"), $"protocol check '{check}' failed (exit {exitCode}):\n{output}");
    }
}
