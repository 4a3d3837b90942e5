using CdmNotebooks.Experiments;
using CdmNotebooks.Experiments.Convergence;

namespace CdmNotebooks.Tests.Experiments;

/// <summary>The convergence study runs in the smoke profile on Table 1's fine-tuned block: FID falls with steps, each step is a kept snapshot, and a re-run measures nothing again.</summary>
[Collection("Experiments")]
public sealed class ConvergenceExperimentTests : IDisposable
{
    private readonly string _results = Directory.CreateTempSubdirectory("cdm-convergence-results-").FullName;

    [Theory]
    [InlineData(1200, 4, new[] { 0, 300, 600, 900, 1200 })]
    [InlineData(150, 2, new[] { 0, 75, 150 })]
    [InlineData(3, 8, new[] { 0, 1, 2, 3 })]
    public void ObservedStepsStartAtZeroAreEvenlySpacedAndEndAtTheBudget(int trainSteps, int points, int[] expected) =>
        Assert.Equal(expected, ConvergenceExperiment.ObservedSteps(trainSteps, points));

    // In the default test command (unlike other experiments' in-process smoke runs): no notebook runs this experiment's positive case.
    [Fact]
    public void SmokeCurvesFallWithStepsAndAReRunMeasuresNothingAgain()
    {
        var report = new ConvergenceExperiment().Run(new ExperimentRun("convergence", "smoke", resultsRoot: _results));

        Assert.True(report.Passed, string.Join("\n", report.Checks.Select(c => $"[{(c.Passed ? "ok" : "FAIL")}] {c.Name}: {c.Detail}")));
        var table = report.Tables.Single().Value;
        // One block (fine-tuned mnist10k), each curve from step 0 (the base): the paragon at 5 steps, shard 0 of uniform-8 at 3 within its
        // parity budget (150 steps), and the same shard trained for twice its parity steps at 3.
        Assert.Equal(5 + 3 + 3, table.Rows.Count);
        Assert.Equal(3, report.Checks.Count(c => c.Name.StartsWith("quality: fine-tuned:fashion-mnist mnist10k", StringComparison.Ordinal)));
        string[] Steps(string model) => Enumerable.Range(0, table.Rows.Count).Where(r => table.Get(r, "model") == model).Select(r => table.Get(r, "step")).ToArray();
        Assert.Equal(new[] { "0", "300", "600", "900", "1200" }, Steps("paragon"));
        Assert.Equal(new[] { "0", "75", "150" }, Steps("shard mnist10k-uniform-8/0"));
        Assert.Equal(new[] { "0", "150", "300" }, Steps("shard mnist10k-uniform-8/0 beyond parity (x2)"));
        Assert.Contains(report.Files, f => f.EndsWith("fid-vs-steps-fine-tuned-fashion-mnist-mnist10k.png", StringComparison.Ordinal));

        var csv = File.ReadAllText(Path.Combine(_results, "convergence", "smoke", "convergence.csv"));
        var again = new ConvergenceExperiment().Run(new ExperimentRun("convergence", "smoke", resultsRoot: _results));
        Assert.Equal(csv, File.ReadAllText(Path.Combine(_results, "convergence", "smoke", "convergence.csv")));
        Assert.Equal(report.Checks.Select(c => c.Detail), again.Checks.Select(c => c.Detail));
    }

    public void Dispose() => Directory.Delete(_results, recursive: true);
}
