using System.Diagnostics;
using System.Reflection;

namespace CdmNotebooks.Tests.Cli;

/// <summary>Runs the built `cdm` command line as a child process, with one thread and CI's environment, and returns its exit code and output.</summary>
internal static class CliProcess
{
    public static string Dll { get; } = typeof(CliProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "CdmCliDll").Value!;

    public static (int Code, string Stdout, string Stderr) Run(IEnumerable<string> arguments, string workingDirectory, IReadOnlyDictionary<string, string>? environment = null)
    {
        Assert.True(File.Exists(Dll), $"{Dll} is missing: build CdmNotebooks.sln (the test project builds the CLI).");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        start.ArgumentList.Add(Dll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["OMP_NUM_THREADS"] = "1";
        start.Environment["CI"] = "true";
        start.Environment["CDM_HOME"] = CdmNotebooks.Data.RepositoryPaths.Root;
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(3)), $"cdm {string.Join(' ', arguments)} did not finish in 3 minutes");
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
