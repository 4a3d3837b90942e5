namespace CdmNotebooks.Tests.Kernel;

/// <summary>Every committed notebook runs headless in the smoke profile (environment/run-notebook.sh), validates with nbformat, and its charts render offline in Chromium.</summary>
public sealed class NotebookRunTests
{
    public static TheoryData<string> Notebooks()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(PythonDriver.RepositoryRoot, "notebooks"), "*.ipynb").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(path));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void NotebookRunsHeadlessValidatesAndRendersOffline(string notebook)
    {
        var output = Directory.CreateTempSubdirectory("cdm-notebook-run-").FullName;
        try
        {
            var configuration = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(PythonDriver.KernelDll)))!;
            var environment = new Dictionary<string, string>
            {
                ["CDM_PROFILE"] = "smoke",
                ["CDM_NOTEBOOK_OUT"] = output,
                ["CDM_CONFIGURATION"] = configuration,
                ["CDM_SKIP_BUILD"] = "1",
            };
            var (exitCode, log) = PythonDriver.Run("bash",
                [Path.Combine(PythonDriver.RepositoryRoot, "environment", "run-notebook.sh"), Path.Combine("notebooks", notebook)],
                TimeSpan.FromMinutes(10), environment);
            Assert.True(exitCode == 0 && log.Contains("valid "), $"{notebook} did not run and validate (exit {exitCode}):\n{log}");

            var html = Path.Combine(output, Path.ChangeExtension(notebook, ".html"));
            var check = Path.Combine(PythonDriver.RepositoryRoot, "environment", "kernel", "tests", "render_check.py");
            var (renderCode, renderLog) = PythonDriver.Run(PythonDriver.Python, [check, html], TimeSpan.FromMinutes(4));
            Assert.True(renderCode == 0, $"{notebook}: charts did not render offline (exit {renderCode}):\n{renderLog}");
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
