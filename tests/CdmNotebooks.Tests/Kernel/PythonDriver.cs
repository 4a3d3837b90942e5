using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace CdmNotebooks.Tests.Kernel;

/// <summary>Runs the Python drivers under environment/kernel/tests with Debian's /usr/bin/python3 against the kernel built with these tests.</summary>
internal static class PythonDriver
{
    public const string Python = "/usr/bin/python3";

    public static string RepositoryRoot { get; } = FindRoot();

    public static string KernelDll { get; } = typeof(PythonDriver).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "CdmKernelDll").Value!;

    /// <summary>Runs a command and returns its exit code and combined output; fails with what is missing when the tools are absent.</summary>
    public static (int ExitCode, string Output) Run(string fileName, IEnumerable<string> arguments, TimeSpan timeout, IDictionary<string, string>? environment = null)
    {
        Assert.True(File.Exists(Python),
            $"{Python} is missing: the kernel tests need Debian's Jupyter client stack (apt-get install -y python3-jupyter-client jupyter-client python3-nbformat python3-nbclient jupyter-nbconvert).");
        Assert.True(File.Exists(KernelDll), $"The kernel build {KernelDll} is missing: build CdmNotebooks.sln (the test project builds the kernel project).");
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            lock (output)
            {
                return (-1, $"timed out after {timeout.TotalSeconds:F0} s\n{output}");
            }
        }

        process.WaitForExit();
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "CdmNotebooks.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No CdmNotebooks.sln above {AppContext.BaseDirectory}.");
    }
}
