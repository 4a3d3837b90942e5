using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;

namespace CdmNotebooks.Tests.Composition;

/// <summary>One `cdm-registry-writer` child process (a separate OS process writing to a registry), with its output collected line by line.</summary>
internal sealed class WriterProcess : IDisposable
{
    private static readonly string WriterDll = typeof(WriterProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "CdmRegistryWriterDll").Value!;

    private readonly Process _process;
    private readonly BlockingCollection<string> _lines = new();
    private readonly ConcurrentQueue<string> _errors = new();

    private WriterProcess(IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        Assert.True(File.Exists(WriterDll), $"{WriterDll} is missing: build CdmNotebooks.sln (the test project builds the writer).");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(WriterDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Nothing here trains a network; one thread keeps 8 writers from crowding the 2-core machine.
        start.Environment["OMP_NUM_THREADS"] = "1";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.CompleteAdding();
            }
            else
            {
                _lines.Add(e.Data);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _errors.Enqueue(e.Data);
            }
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Lines printed after the first one (ready / locked).</summary>
    public List<string> Results { get; } = [];

    public static WriterProcess Start(params string[] arguments) => new(arguments, new Dictionary<string, string>());

    /// <summary>Starts a writer with extra environment variables.</summary>
    public static WriterProcess Start(IReadOnlyDictionary<string, string> environment, params string[] arguments) => new(arguments, environment);

    /// <summary>Waits for the first output line and checks it is <paramref name="expected"/>.</summary>
    public void WaitForLine(string expected)
    {
        if (!_lines.TryTake(out var line, TimeSpan.FromMinutes(2)))
        {
            Assert.Fail($"writer process printed nothing within 2 minutes (expected '{expected}'); stderr: {string.Join(" | ", _errors)}");
        }

        Assert.True(line == expected, $"writer process printed '{line}', expected '{expected}'; stderr: {string.Join(" | ", _errors)}");
    }

    /// <summary>Waits for exit, requires exit code 0 and collects the remaining output lines.</summary>
    public void Finish()
    {
        Assert.True(_process.WaitForExit(TimeSpan.FromMinutes(3)), "writer process did not finish within 3 minutes");
        _process.WaitForExit();
        Results.AddRange(_lines.GetConsumingEnumerable());
        Assert.True(_process.ExitCode == 0, $"writer process failed with exit code {_process.ExitCode}: {string.Join(" | ", _errors)}");
    }

    /// <summary>SIGKILL: no handler, finalizer or dispose runs in the child.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            KillHard();
        }

        _process.Dispose();
        _lines.Dispose();
    }
}
