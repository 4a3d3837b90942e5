namespace CdmNotebooks.Tests.Kernel;

/// <summary>Committed notebooks run headless in the smoke profile (environment/run-notebook.sh), validate with nbformat, and their charts render offline in Chromium.</summary>
public sealed class NotebookRunTests
{
    /// <summary>The workbench notebooks (no experiment): part of every test run.</summary>
    public static TheoryData<string> WorkbenchNotebooks() => Select(experiments: false);

    /// <summary>
    /// Experiment notebooks whose smoke sanity checks are known to fail, kept out of the default run (category KnownFailingNotebook:
    /// environment/test.sh --experiments runs them) so CI guards the others. 05-memorization: the smoke small shard (20 images, 600
    /// steps) generalizes instead of memorizing (0 % near-copies, median ratio 0.88; the check wants >= 20 %), issue #7.
    /// </summary>
    public static IReadOnlyList<string> KnownFailing { get; } = ["05-memorization.ipynb"];

    /// <summary>The experiment notebooks (01-07) except <see cref="KnownFailing"/>: each runs its experiment's smoke profile and fails in its verdict cell when a sanity check fails (category ExperimentNotebook: part of the default environment/test.sh; --quick leaves them out).</summary>
    public static TheoryData<string> ExperimentNotebooks() => Select(experiments: true, knownFailing: false);

    /// <summary>The experiment notebooks listed in <see cref="KnownFailing"/>.</summary>
    public static TheoryData<string> KnownFailingNotebooks() => Select(experiments: true, knownFailing: true);

    /// <summary>Every experiment notebook (01-07).</summary>
    public static TheoryData<string> AllExperimentNotebooks() => Select(experiments: true, knownFailing: null);

    private static TheoryData<string> Select(bool experiments, bool? knownFailing = null)
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.GetFiles(Path.Combine(PythonDriver.RepositoryRoot, "notebooks"), "*.ipynb").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            if (!name.StartsWith("00-", StringComparison.Ordinal) == experiments && (knownFailing is null || KnownFailing.Contains(name) == knownFailing))
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

    [Theory]
    [Trait("Category", "KnownFailingNotebook")]
    [MemberData(nameof(KnownFailingNotebooks))]
    public void KnownFailingExperimentNotebookRunsHeadless(string notebook) => RunAndCheck(notebook);

    [Theory]
    [MemberData(nameof(AllExperimentNotebooks))]
    public void ExperimentNotebookEndsWithAVerdictCellThatFailsOnAFailedCheck(string notebook)
    {
        using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(PythonDriver.RepositoryRoot, "notebooks", notebook)));
        var last = document.RootElement.GetProperty("cells").EnumerateArray()
            .Last(c => c.GetProperty("cell_type").GetString() == "code");
        var source = string.Concat(last.GetProperty("source").EnumerateArray().Select(line => line.GetString()));
        Assert.Matches(@"^\s*(report|result\.Report)\.EnsurePassed\(\)\s*$", source);
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
                TimeSpan.FromMinutes(20), environment);
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
