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
    private readonly ResultRows<ForgettingEvaluationRow> _table;
    private readonly ExperimentOutput _output;

    public Scorer(ExperimentRun run, CdmPipeline pipeline, ShardSplit split, string regime, ResultRows<ForgettingEvaluationRow> table, ExperimentOutput output)
    {
        _run = run;
        _regime = regime;
        _pipeline = pipeline;
        _split = split;
        _table = table;
        _output = output;
        FeatureSpace = $"CdmNet features ({split.Dataset})";
    }

    /// <summary>The feature space the FIDs are computed in (named honestly in results).</summary>
    public string FeatureSpace { get; private set; }

    /// <summary>Scores the composition of every active shard of <paramref name="store"/> under a router of <paramref name="kind"/>.</summary>
    public ForgettingEvaluationRow Measure(string state, string method, RouterKind kind, SplitStore store) =>
        Measure(state, method, kind, () =>
        {
            var model = store.Compose(kind);
            return (model.Denoiser, model.Dispose);
        });

    /// <summary>Scores a single model.</summary>
    public ForgettingEvaluationRow Measure(string state, string method, Func<UNetDenoiser> load) =>
        Measure(state, method, null, () =>
        {
            var denoiser = load();
            return ((IDenoiser)denoiser, () => denoiser.Network.Dispose());
        });

    private ForgettingEvaluationRow Measure(string state, string method, RouterKind? kind, Func<(IDenoiser Denoiser, Action Release)> open)
    {
        var router = kind?.Name() ?? "";
        var label = kind is null ? method : $"{method}-{router}";
        var grid = _run.ResultPath($"samples-{state}-{label}.png");
        if (_table.Rows.Of(_run).FirstOrDefault(r => r.Regime == _regime && r.State == state && r.Method == method && r.Router == router) is { } measured)
        {
            _run.Log($"  {state} {label}: already measured");
            if (File.Exists(grid))
            {
                _output.Image(grid, Caption(state, label));
            }

            return measured;
        }

        var (denoiser, release) = open();
        try
        {
            using var samples = _pipeline.Generate(label, denoiser, _run.Seed * 1000 + 500);
            var report = _pipeline.Evaluate(samples, _split.Dataset);
            FeatureSpace = report.FeatureSpace;
            ImageGrid.SavePng(samples.Images.narrow(0, 0, Math.Min(20, samples.Images.shape[0])), grid, columns: 10);
            _output.Image(grid, Caption(state, label));
            var row = new ForgettingEvaluationRow(_regime, _split.Dataset, _split.Name, _split.ShardCount, state, method, router, _run.Seed, _run.Profile,
                EvaluationRow.Of(report), Math.Round(samples.Seconds, 1));
            _table.Add(row);
            _run.Log($"  {state} {label}: {report.FidLabel} {report.Fid.Value:F2} [{report.Fid.ConfidenceLow:F2}, {report.Fid.ConfidenceHigh:F2}], " +
                $"accuracy {report.ConditionalAccuracy?.Accuracy:P1}, sampled in {samples.Seconds:F0} s");
            return row;
        }
        finally
        {
            release();
        }
    }

    private static string Caption(string state, string label) => $"{label}, {state}: the first 20 samples in two rows; column c requested class c";
}
