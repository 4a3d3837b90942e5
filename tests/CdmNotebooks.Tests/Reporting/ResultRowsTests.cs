using CdmNotebooks.Experiments;
using CdmNotebooks.Experiments.AccessRights;
using CdmNotebooks.Experiments.Attribution;
using CdmNotebooks.Experiments.Continual;
using CdmNotebooks.Experiments.Convergence;
using CdmNotebooks.Experiments.Forgetting;
using CdmNotebooks.Experiments.Memorization;
using CdmNotebooks.Experiments.Recipe;
using CdmNotebooks.Experiments.Table1;
using CdmNotebooks.Experiments.TextToImage;
using CdmNotebooks.Reporting;
using CdmNotebooks.Tests.Kernel;

namespace CdmNotebooks.Tests.Reporting;

/// <summary>Typed result rows: the committed result files read back as their record types and re-save byte for byte, and a file of another layout is refused by name.</summary>
public sealed class ResultRowsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cdm-rows-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> CommittedFiles() => new()
    {
        "table1/standard/table1.csv", "table1/standard/table1-in-domain-rate-half.csv", "table1/standard/floor.csv",
        "convergence/standard/convergence.csv", "convergence/standard/convergence-in-domain-rate-half.csv", "recipe/standard/recipe.csv",
        "continual/standard/continual.csv", "continual/standard/costs.csv", "forgetting/standard/evaluations.csv", "forgetting/standard/forgetting.csv",
        "memorization/standard/memorization.csv", "memorization/standard/ood.csv", "access-rights/standard/access-rights.csv",
        "access-rights/standard/weights.csv", "attribution/standard/attribution.csv", "attribution/standard/samples-union-by-domain-2-ito.csv",
        "attribution/standard/samples-mnist10k-uniform-8-classifier.csv", "attribution/standard/weights-union-by-domain-2-classifier.csv",
        "attribution/standard/weights-mnist10k-uniform-8-ito.csv", "text-to-image/standard/text-to-image.csv", "text-to-image/standard/relative-to-monolithic.csv",
        "text-to-image/standard/in-domain/text-to-image.csv",
        "text-to-image/standard/in-domain/relative-to-monolithic.csv",
    };

    [Theory]
    [MemberData(nameof(CommittedFiles))]
    public void ACommittedResultFileReadsAsItsRowTypeAndSavesBackUnchanged(string file)
    {
        var path = Path.Combine(PythonDriver.RepositoryRoot, "results", file);
        var text = File.ReadAllText(path);
        var name = Path.GetFileName(file);
        var (rows, again) = name switch
        {
            "floor.csv" => RoundTrip<FloorRow>(text, path),
            _ when name.StartsWith("table1", StringComparison.Ordinal) => RoundTrip<Table1Row>(text, path),
            _ when name.StartsWith("convergence", StringComparison.Ordinal) => RoundTrip<ConvergenceRow>(text, path),
            "recipe.csv" => RoundTrip<RecipeRow>(text, path),
            "continual.csv" => RoundTrip<ContinualRow>(text, path),
            "costs.csv" => RoundTrip<ContinualCostRow>(text, path),
            "evaluations.csv" => RoundTrip<ForgettingEvaluationRow>(text, path),
            "forgetting.csv" => RoundTrip<ForgettingRow>(text, path),
            "memorization.csv" => RoundTrip<MemorizationRow>(text, path),
            "ood.csv" => RoundTrip<OodRow>(text, path),
            "access-rights.csv" => RoundTrip<AccessRightsRow>(text, path),
            "weights.csv" => RoundTrip<AccessWeightRow>(text, path),
            "attribution.csv" => RoundTrip<AttributionRow>(text, path),
            "text-to-image.csv" => RoundTrip<TextToImageRow>(text, path),
            "relative-to-monolithic.csv" => RoundTrip<TextToImageRelativeRow>(text, path),
            _ when name.StartsWith("samples-", StringComparison.Ordinal) => RoundTrip<AttributionSampleRow>(text, path),
            _ when name.StartsWith("weights-", StringComparison.Ordinal) => RoundTrip<AttributionCurveRow>(text, path),
            _ => throw new ArgumentException(file),
        };

        Assert.True(rows > 0, $"{file} has no rows");
        Assert.Equal(text, again);
    }

    [Fact]
    public void RowsAreSavedAtEveryAddAndReadBackTyped()
    {
        var path = Path.Combine(_dir, "table1.csv");
        var rows = ResultRows<Table1Row>.Open(path);
        Assert.Empty(rows.Rows);
        Assert.False(File.Exists(path));
        var metrics = new EvaluationRow(12.3456789, 10, double.NaN, 1, 0.5, null, null, 100);
        rows.Add(new Table1Row("scratch", "mnist10k", "by-class", 8, "cdm-ito", "ito, \"dense\"", 0, "smoke", 3200, metrics, 3199, 1.5, 0, 2, 50, "dense", null));

        var back = ResultRows<Table1Row>.Open(path).Rows.Single();
        Assert.Equal(rows.Rows[0] with { Metrics = metrics }, back with { Metrics = metrics });
        Assert.Equal(12.3456789, back.Metrics.Fid);
        Assert.True(double.IsNaN(back.Metrics.FidHigh));
        Assert.Null(back.Metrics.ConditionalAccuracy);
        Assert.Null(back.ShardEvaluations);
        Assert.Equal(0, back.Metrics.FidHalfInterval);
        Assert.Equal(ResultRows<Table1Row>.Columns, rows.ToTable().Columns);
        Assert.Contains("| cdm-ito |", rows.ToTable().ToMarkdown(["method"]));
    }

    [Fact]
    public void AFileOfAnotherLayoutIsRefusedNamingTheFileAndItsColumns()
    {
        var path = Path.Combine(_dir, "convergence.csv");
        var columns = string.Join(",", ResultRows<ConvergenceRow>.Columns);

        File.WriteAllText(path, columns + ",extra\n");
        var extra = Assert.Throws<InvalidDataException>(() => ResultRows<ConvergenceRow>.Open(path));
        Assert.Contains(path, extra.Message);
        Assert.Contains("extra", extra.Message);

        File.WriteAllText(path, columns.Replace("budget", "steps_budget", StringComparison.Ordinal) + "\n");
        var renamed = Assert.Throws<InvalidDataException>(() => ResultRows<ConvergenceRow>.Open(path));
        Assert.Contains("budget", renamed.Message);

        var row = string.Join(",", ResultRows<ConvergenceRow>.Columns.Select(c => c == "step" ? "many" : "1"));
        File.WriteAllText(path, $"{columns}\n{row}\n");
        var unparsable = Assert.Throws<InvalidDataException>(() => ResultRows<ConvergenceRow>.Open(path));
        Assert.Contains("many", unparsable.Message);
    }

    [Fact]
    public void ARunReadsBackOnlyTheRowsOfItsSeedAndProfile()
    {
        var metrics = new EvaluationRow(1, 0, 2, 0, 0, null, null, 10);
        FloorRow Row(int seed, string profile) => new("mnist10k", seed, profile, metrics);
        var rows = new[] { Row(0, "smoke"), Row(1, "smoke"), Row(0, "standard"), Row(0, "smoke") };
        var run = new ExperimentRun("table1", "smoke", seed: 0, resultsRoot: _dir);

        Assert.Equal([rows[0], rows[3]], rows.Of(run).ToArray());
        Assert.True(run.Owns(rows[0]));
        Assert.False(run.Owns(rows[1]));
        Assert.False(run.Owns(rows[2]));
    }

    [Fact]
    public void NotebooksReadResultsThroughTheirRowTypesNotThroughTableTitles()
    {
        var offenders = Directory.GetFiles(Path.Combine(PythonDriver.RepositoryRoot, "notebooks"), "*.ipynb")
            .Where(f => File.ReadAllText(f).Contains("Tables[", StringComparison.Ordinal))
            .Select(Path.GetFileName).ToArray();
        Assert.True(offenders.Length == 0, $"These notebooks read a report table by its title; open the result file's rows instead: {string.Join(", ", offenders)}");
    }

    [Fact]
    public void NotebooksShowImagesFromTheReportNotFromRebuiltFileNames()
    {
        var rebuilt = new System.Text.RegularExpressions.Regex(@"ResultPath\([^)]*\.png|File\.ReadAllBytes\(");
        var offenders = Directory.GetFiles(Path.Combine(PythonDriver.RepositoryRoot, "notebooks"), "*.ipynb")
            .Where(f => rebuilt.IsMatch(File.ReadAllText(f)))
            .Select(Path.GetFileName).ToArray();
        Assert.True(offenders.Length == 0, $"These notebooks rebuild an image's file name; show report.Images (each with its caption) instead: {string.Join(", ", offenders)}");
    }

    private static (int Rows, string Text) RoundTrip<TRow>(string text, string path)
        where TRow : class
    {
        var rows = ResultRows<TRow>.Parse(text, path);
        return (rows.Count, ResultRows<TRow>.WriteCsv(rows));
    }
}
