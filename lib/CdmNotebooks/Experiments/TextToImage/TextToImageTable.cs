using CdmNotebooks.Composition;
using CdmNotebooks.Data;
using CdmNotebooks.Evaluation;
using CdmNotebooks.Reporting;
using CdmNotebooks.TextToImage;
using static TorchSharp.torch;

namespace CdmNotebooks.Experiments.TextToImage;

/// <summary>How E6's typed rows are built: one row per method from its TIFA score, mismatched-caption score and FID, and each method's change against the monolithic model that started like it.</summary>
internal static class TextToImageTable
{
    internal static void AddRow(List<TextToImageRow> table, ExperimentRun run, TextToImageSettings settings, string method, string variant, string router,
        CaptionAlignmentResult tifa, CaptionAlignmentResult tifaMismatched, FidResult fid, int trainSteps, double trainSeconds, double pretrainSeconds, double sampleSeconds,
        double? sumError, double? topWeight)
    {
        double? Kind(QuestionKind kind) => tifa.AccuracyByKind.TryGetValue(kind, out var v) ? ResultValue.Round(v) : null;
        table.Add(new TextToImageRow(run.Profile, run.Seed, settings.ShardCount, method, variant, router, tifa.Prompts, tifa.Questions, ResultValue.Round(tifa.Score),
            ResultValue.Round(tifa.ConfidenceLow), ResultValue.Round(tifa.ConfidenceHigh), Kind(QuestionKind.Existence), Kind(QuestionKind.Identity), Kind(QuestionKind.Position),
            Kind(QuestionKind.Count), ResultValue.Round(tifaMismatched.Score), ResultValue.Round(tifa.GainInterval(tifaMismatched, settings.BootstrapResamples, run.Seed).Low), ResultValue.Round(fid.Value), ResultValue.Round(fid.ConfidenceLow), ResultValue.Round(fid.ConfidenceHigh), TextToImageExperiment.FidName, trainSteps,
            ResultValue.Round(trainSeconds), ResultValue.Round(pretrainSeconds), ResultValue.Round(sampleSeconds), sumError is { } e ? ResultValue.Round(e) : null, topWeight is { } w ? ResultValue.Round(w) : null));
    }

    /// <summary>TIFA change of each shard-based method against the monolithic model that started like it: from-scratch shards against the monolithic model from scratch; fine-tuned shards, prompts and the base against the monolithic model fine-tuned from the same base (the paper's comparison).</summary>
    internal static IEnumerable<TextToImageRelativeRow> Relative(IEnumerable<TextToImageRow> table, ExperimentRun run)
    {
        var rows = table.Of(run).ToList();
        foreach (var r in rows.Where(r => r.Variant is "full" or "fine-tuned" or "prompt" or "base"))
        {
            var reference = rows.Single(x => x.Method == (r.Variant == "full" ? TextToImageExperiment.Monolithic : TextToImageExperiment.MonolithicFineTuned));
            yield return new TextToImageRelativeRow(run.Profile, run.Seed, r.Method, reference.Method, r.Tifa, reference.Tifa,
                ResultValue.Round(100 * (r.Tifa - reference.Tifa) / reference.Tifa), r.Fid, reference.Fid);
        }
    }
}
