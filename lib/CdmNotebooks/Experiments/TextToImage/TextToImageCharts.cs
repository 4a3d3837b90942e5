using CdmNotebooks.Reporting;

namespace CdmNotebooks.Experiments.TextToImage;

/// <summary>E6's figures built from its rows: TIFA-style score per method, and answer accuracy per question kind.</summary>
public static class TextToImageCharts
{
    /// <summary>TIFA-style score per method (bars with 95% intervals) for the rows of <paramref name="run"/>'s profile and seed in <paramref name="table"/> (text-to-image.csv).</summary>
    public static ChartSpec Tifa(ExperimentRun run, IReadOnlyList<TextToImageRow> table)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(table);
        var rows = table.Of(run).ToList();
        var x = Enumerable.Range(0, rows.Count).Select(i => (double)i).ToArray();
        return new ChartSpec("TIFA-style alignment on held-out prompts", "method", "TIFA-style score (higher is better)",
            [
                new ChartSeries("TIFA-style score (95% bootstrap interval)", x, rows.Select(r => r.Tifa).ToArray(),
                    rows.Select(r => r.TifaCiHigh is { } hi && r.TifaCiLow is { } lo ? (hi - lo) / 2 : 0).ToArray()),
            ], ChartKind.Bar)
        {
            Categories = rows.Select(Label).ToArray(),
            Caption = $"score = mean per-prompt answer accuracy, 95% bootstrap interval; answerer: cell classifier + counter (not a VQA model); {Legend}; " +
                      $"profile {run.Profile}, seed {run.Seed}, `{run.Command}`",
        };
    }

    /// <summary>Answer accuracy per question kind and method for the rows of <paramref name="run"/>'s profile and seed in <paramref name="table"/> (text-to-image.csv).</summary>
    public static ChartSpec ByQuestionKind(ExperimentRun run, IReadOnlyList<TextToImageRow> table)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(table);
        var rows = table.Of(run).ToList().Where(r => r.Variant != "chance").ToArray();
        var x = Enumerable.Range(0, rows.Length).Select(i => (double)i).ToArray();
        var kinds = new (string Name, Func<TextToImageRow, double?> Value)[]
        {
            ("existence", r => r.TifaExistence), ("identity", r => r.TifaIdentity), ("position", r => r.TifaPosition), ("count", r => r.TifaCount),
        };
        return new ChartSpec("Answer accuracy by question kind", "method", "answer accuracy",
            kinds.Select(k => new ChartSeries(k.Name, x, rows.Select(r => k.Value(r) ?? double.NaN).ToArray())).ToArray(), ChartKind.Bar)
        {
            Categories = rows.Select(Label).ToArray(),
            Caption = $"{Legend}; profile {run.Profile}, seed {run.Seed}, `{run.Command}`",
        };
    }

    private const string Legend =
        "real = real held-out scenes (ceiling), mono = monolithic from scratch, mono-ft = monolithic fine-tuned from the base, " +
        "full/ft/prompt = CDM of shards trained from scratch / fine-tuned from the base / prompt-tuned on the frozen base, ito = Ito-density router, " +
        "naive = naive averaging, random-pick = one shard drawn per sample from the priors, ft soup = the fine-tuned shards' weights averaged, " +
        "shard 0 / ft shard 0 = one shard alone, base = the base (public scenes) without prompts";

    /// <summary>A short axis label of a row (the legend in the caption spells them out).</summary>
    private static string Label(TextToImageRow row)
    {
        var variant = row.Variant;
        var router = row.Router switch { "-" => "", var name => name };
        return variant switch
        {
            "real" => "real",
            "chance" => "chance",
            "monolithic" => "mono",
            "monolithic-ft" => "mono-ft",
            "base" => "base",
            "full" when router == "" => "shard 0",
            "fine-tuned" when row.Method.StartsWith("model soup", StringComparison.Ordinal) => "ft soup",
            "fine-tuned" when router == "" => "ft shard 0",
            "fine-tuned" => $"ft+{router}",
            _ => $"{variant}+{router}",
        };
    }
}
