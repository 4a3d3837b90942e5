using System.Globalization;
using CdmNotebooks.Composition;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Reporting;

namespace CdmNotebooks.Experiments.Forgetting;

/// <summary>Samples and scores a model or a registry composition once per (state, method, router), recording each in evaluations.csv so an interrupted run resumes without re-sampling.</summary>
internal sealed class Scorer
{
    private readonly ExperimentRun _run;
    private readonly CdmPipeline _pipeline;
    private readonly ShardSplit _split;
    private readonly string _regime;
    private readonly ResultTable _table;
    private readonly string _path;

    public Scorer(ExperimentRun run, CdmPipeline pipeline, ShardSplit split, string regime, ResultTable table, string path)
    {
        _run = run;
        _regime = regime;
        _pipeline = pipeline;
        _split = split;
        _table = table;
        _path = path;
        FeatureSpace = $"CdmNet features ({split.Dataset})";
    }

    /// <summary>The feature space the FIDs are computed in (named honestly in results).</summary>
    public string FeatureSpace { get; private set; }

    /// <summary>Scores the composition of every active shard of <paramref name="store"/> under a router of <paramref name="kind"/>.</summary>
    public Score Measure(string state, string method, RouterKind kind, SplitStore store, List<string> files) =>
        Measure(state, method, kind, () =>
        {
            var model = store.Compose(kind);
            return (model.Denoiser, model.Dispose);
        }, files);

    /// <summary>Scores a single model.</summary>
    public Score Measure(string state, string method, Func<UNetDenoiser> load, List<string> files) =>
        Measure(state, method, null, () =>
        {
            var denoiser = load();
            return ((IDenoiser)denoiser, () => denoiser.Network.Dispose());
        }, files);

    private Score Measure(string state, string method, RouterKind? kind, Func<(IDenoiser Denoiser, Action Release)> open, List<string> files)
    {
        var router = kind?.Name() ?? "";
        var label = kind is null ? method : $"{method}-{router}";
        var grid = _run.ResultPath($"samples-{state}-{label}.png");
        var row = Find(state, method, router);
        if (row >= 0)
        {
            _run.Log($"  {state} {label}: already measured");
            if (File.Exists(grid))
            {
                files.Add(grid);
            }

            return new Score(Value(row, "fid"), Value(row, "fid_low"), Value(row, "fid_high"), Value(row, "kid"), Value(row, "kid_se"),
                Value(row, "cond_acc"), Value(row, "cond_acc_se"), (int)Value(row, "samples"), Value(row, "sample_seconds"));
        }

        var (denoiser, release) = open();
        try
        {
            using var samples = _pipeline.Generate(label, denoiser, _run.Seed * 1000 + 500);
            var report = _pipeline.Evaluate(samples, _split.Dataset);
            FeatureSpace = report.FeatureSpace;
            var score = new Score(report.Fid.Value, report.Fid.ConfidenceLow, report.Fid.ConfidenceHigh, report.Kid.Value, report.Kid.StandardError,
                report.ConditionalAccuracy?.Accuracy ?? double.NaN, report.ConditionalAccuracy?.StandardError ?? double.NaN, samples.Classes.Count, samples.Seconds);
            ImageGrid.SavePng(samples.Images.narrow(0, 0, Math.Min(20, samples.Images.shape[0])), grid, columns: 10);
            files.Add(grid);
            _table.Add(("regime", _regime), ("dataset", _split.Dataset), ("split", _split.Name), ("shards", _split.ShardCount), ("state", state), ("method", method),
                ("router", router), ("seed", _run.Seed), ("profile", _run.Profile), ("samples", samples.Classes.Count),
                ("fid", score.Fid), ("fid_low", score.FidLow), ("fid_high", score.FidHigh), ("kid", score.Kid), ("kid_se", score.KidSe),
                ("cond_acc", score.Accuracy), ("cond_acc_se", score.AccuracySe), ("sample_seconds", score.SampleSeconds));
            _table.SaveCsv(_path);
            _run.Log($"  {state} {label}: {report.FidLabel} {score.Fid:F2} [{score.FidLow:F2}, {score.FidHigh:F2}], accuracy {score.Accuracy:P1}, sampled in {samples.Seconds:F0} s");
            return score;
        }
        finally
        {
            release();
        }
    }

    private int Find(string state, string method, string router)
    {
        for (var r = 0; r < _table.Rows.Count; r++)
        {
            if (_table.Get(r, "regime") == _regime && _table.Get(r, "state") == state && _table.Get(r, "method") == method && _table.Get(r, "router") == router
                && _table.Get(r, "seed") == _run.Seed.ToString(CultureInfo.InvariantCulture) && _table.Get(r, "profile") == _run.Profile)
            {
                return r;
            }
        }

        return -1;
    }

    private double Value(int row, string column) => double.Parse(_table.Get(row, column), CultureInfo.InvariantCulture);
}
