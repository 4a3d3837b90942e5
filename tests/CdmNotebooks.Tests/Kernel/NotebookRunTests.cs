namespace CdmNotebooks.Tests.Kernel;

/// <summary>Committed notebooks run headless in the smoke profile (environment/run-notebook.sh), validate with nbformat, and their charts render offline in Chromium.</summary>
public sealed class NotebookRunTests
{
    /// <summary>The workbench notebooks (no experiment): part of every test run.</summary>
    public static TheoryData<string> WorkbenchNotebooks() => Select(experiments: false);

    /// <summary>The experiment notebooks (01-07): each runs its experiment's smoke profile and fails in its verdict cell when a sanity check fails (category ExperimentNotebook: part of the default environment/test.sh; --quick leaves them out).</summary>
    public static TheoryData<string> ExperimentNotebooks() => Select(experiments: true);

    private static TheoryData<string> Select(bool experiments)
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(PythonDriver.RepositoryRoot, "notebooks"), "*.ipynb").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            if (!name.StartsWith("00-", StringComparison.Ordinal) == experiments)
            {
                data.Add(name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WorkbenchNotebooks))]
    public void NotebookRunsHeadlessValidatesAndRendersOffline(string notebook) => RunAndCheck(notebook);

    [Theory]
    [Trait("Category", "ExperimentNotebook")]
    [MemberData(nameof(ExperimentNotebooks))]
    public void ExperimentNotebookRunsHeadlessValidatesAndRendersOffline(string notebook) => RunAndCheck(notebook);

    /// <summary>
    /// The notebook's last code cell, run by the real kernel after a cell that leaves a report under the notebook's variable names,
    /// fails the headless run naming the failed check, and passes when every check passed: the verdict cell is what makes a run a test.
    /// </summary>
    [Theory]
    [MemberData(nameof(ExperimentNotebooks))]
    public void ExperimentNotebookVerdictCellFailsTheRunOnAFailedCheckAndOnlyThen(string notebook)
    {
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(PythonDriver.RepositoryRoot, "notebooks", notebook)));
        var verdict = string.Concat(document.RootElement.GetProperty("cells").EnumerateArray()
            .Last(c => c.GetProperty("cell_type").GetString() == "code").GetProperty("source").EnumerateArray().Select(line => line.GetString()));
        var folder = Directory.CreateTempSubdirectory("cdm-verdict-").FullName;
        try
        {
            string Write(string name, bool passed)
            {
                var setup = "var report = new ExperimentReport(\"mutant\", \"smoke\", new Dictionary<string, CdmNotebooks.Reporting.ResultTable>(), Array.Empty<string>(), " +
                            $"new[] {{ new SanityCheck(\"planted quality gate\", {(passed ? "true" : "false")}, \"FID 412 is not below the noise images' 398\") }}, " +
                            "Array.Empty<CdmNotebooks.Reporting.ChartSpec>(), Array.Empty<CdmNotebooks.Reporting.CaptionedImage>());";
                var cells = new[] { setup, verdict }.Select(source => new Dictionary<string, object?>
                {
                    ["cell_type"] = "code", ["execution_count"] = null, ["metadata"] = new Dictionary<string, object>(), ["outputs"] = Array.Empty<object>(), ["source"] = source,
                });
                var path = Path.Combine(folder, name + ".ipynb");
                File.WriteAllText(path, System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["cells"] = cells, ["metadata"] = document.RootElement.GetProperty("metadata"), ["nbformat"] = 4, ["nbformat_minor"] = 5,
                }));
                return path;
            }

            var environment = new Dictionary<string, string>
            {
                ["CDM_NOTEBOOK_OUT"] = Path.Combine(folder, "out"),
                ["CDM_CONFIGURATION"] = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(PythonDriver.KernelDll)))!,
                ["CDM_SKIP_BUILD"] = "1",
            };
            var (exitCode, log) = PythonDriver.Run("bash",
                [Path.Combine(PythonDriver.RepositoryRoot, "environment", "run-notebook.sh"), Write("passing", passed: true), Write("failing", passed: false)],
                TimeSpan.FromMinutes(5), environment);
            Assert.True(exitCode != 0, $"{notebook}: a run whose verdict cell saw a failed check exited 0:\n{log}");
            Assert.Contains("FAILED failing", log, StringComparison.Ordinal);
            Assert.Contains("planted quality gate", log, StringComparison.Ordinal);
            Assert.DoesNotContain("FAILED passing", log, StringComparison.Ordinal);
            Assert.Contains("passing.ipynb: 2 code cells executed", log, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static void RunAndCheck(string notebook)
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
                TimeSpan.FromMinutes(40), environment);
            // The FAILED line (it names the cell's exception) leads: CI shows only part of a long message.
            var failures = string.Join('\n', log.Split('\n').Where(l => l.StartsWith("FAILED ", StringComparison.Ordinal)));
            Assert.True(exitCode == 0 && log.Contains("valid "), $"{notebook} did not run and validate (exit {exitCode}): {failures}\n{log}");

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
