using System.Text.Json;
using CdmNotebooks.Evaluation;
using CdmNotebooks.Experiments;
using CdmNotebooks.Experiments.Table1;
using CdmNotebooks.Reporting;

namespace CdmNotebooks.Tests.Experiments;

/// <summary>The skeleton every experiment shares (<see cref="Experiment{TSettings}"/>, <see cref="ExperimentOutput"/>): settings by profile or given, typed rows resumed, figures, images and checks in the report, run.json, and what the run owned disposed even when it fails.</summary>
public sealed class ExperimentSkeletonTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cdm-skeleton-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ARunCollectsRowsFiguresImagesAndChecksWritesRunJsonAndDisposesWhatItOwnedNewestFirst()
    {
        var disposed = new List<string>();
        var experiment = new Probe(disposed);
        var run = new ExperimentRun(experiment.Name, "smoke", resultsRoot: _dir, cacheRoot: _dir) { Log = _ => { } };

        var report = experiment.Run(run);

        Assert.Equal("smoke settings", experiment.Seen);
        Assert.Equal(["second", "first"], disposed);
        Assert.Equal("probe", report.Experiment);
        Assert.Equal(["rows"], report.Tables.Keys);
        Assert.Single(report.Charts);
        Assert.Equal("a grid", Assert.Single(report.Images).Title);
        Assert.Equal(["the check"], report.Checks.Select(c => c.Name));
        Assert.Equal(report.Files.Distinct().Count(), report.Files.Count);
        Assert.All(report.Files, f => Assert.True(File.Exists(f), $"missing {f}"));
        Assert.Contains(report.Files, f => f.EndsWith("floor.csv", StringComparison.Ordinal));
        Assert.Contains(report.Files, f => f.EndsWith("chart.html", StringComparison.Ordinal));
        using var info = JsonDocument.Parse(File.ReadAllText(run.ResultPath("run.json")));
        Assert.Equal("split-a", info.RootElement.GetProperty("split").GetString());

        // A second run reads the rows of the first back through their type and measures nothing again.
        var again = new Probe([]).Run(run);
        Assert.Single(again.Tables["rows"].Rows);
    }

    [Fact]
    public void GivenSettingsReplaceTheProfilesAndAFailingRunStillDisposesWhatItOwned()
    {
        var disposed = new List<string>();
        var experiment = new Probe(disposed, settings: "given", fail: true);
        var run = new ExperimentRun(experiment.Name, "standard", resultsRoot: _dir, cacheRoot: _dir) { Log = _ => { } };

        Assert.Equal("given", experiment.SettingsFor("standard"));
        Assert.Throws<InvalidOperationException>(() => experiment.Run(run));
        Assert.Equal(["second", "first"], disposed);
        Assert.False(File.Exists(run.ResultPath("run.json")), "a failed run must not write run.json as if it had finished");
    }

    private sealed class Probe(List<string> disposed, string? settings = null, bool fail = false) : Experiment<string>(settings)
    {
        public string? Seen { get; private set; }

        public override string Name => "probe";

        public override string Question => "Does the skeleton work?";

        protected override string DefaultSettings(string profile) => profile + " settings";

        protected override void Measure(ExperimentRun run, string settings, ExperimentOutput output)
        {
            Seen = settings;
            output.Own(new Disposer(() => disposed.Add("first")));
            output.Own(new Disposer(() => disposed.Add("second")));
            var rows = output.Rows<FloorRow>("floor.csv");
            if (!rows.Rows.Of(run).Any())
            {
                rows.Add(new FloorRow("mnist10k", run.Seed, run.Profile, new EvaluationRow(1.5, 1, 2, 0.1, 0.01, 0.9, null, 20)));
            }

            if (fail)
            {
                throw new InvalidOperationException("the protocol failed");
            }

            output.Table("rows", rows.ToTable());
            output.Figure(new ChartSpec("a chart", "x", "y", [new ChartSeries("s", [0, 1], [1, 2])]), "chart");
            var png = run.ResultPath("grid.png");
            File.WriteAllBytes(png, [0x89, 0x50, 0x4e, 0x47]);
            output.Image(png, "a grid");
            output.Image(png, "a grid");
            output.Check(new SanityCheck("the check", true, "ok"));
            output.RunInfo["split"] = "split-a";
        }
    }

    private sealed class Disposer(Action onDispose) : IDisposable
    {
        public void Dispose() => onDispose();
    }
}
