using System.Globalization;
using CdmNotebooks.Composition;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Evaluation;
using CdmNotebooks.Experiments.Attribution;
using CdmNotebooks.Reporting;
using static TorchSharp.torch;

namespace CdmNotebooks.Experiments.Memorization;

/// <summary>Fig. 4A: composing two domains' shards for a request neither holds alone (a digit and a garment share each label), judged by the domain classifier.</summary>
internal static class OutOfDistributionStudy
{
    // A sample the domain judge gives less than this to either domain counts as a hybrid of the two.
    private const double HybridMaxProbability = 0.9;

    /// <summary>The rows and the grid of Fig. 4A: each domain shard alone, their fixed mixture and the CDM, from the same noise; read back when already measured.</summary>
    internal static (ResultRows<OodRow> Table, CaptionedImage Grid) Measure(ExperimentRun run, MemorizationSettings settings)
    {
        var path = run.ResultPath("ood.csv");
        var gridPath = run.ResultPath("ood-grid.png");
        var table = ResultRows<OodRow>.Open(path);
        var split = ShardSplit.Load(settings.Domain.DomainSplit);
        var domains = Enumerable.Range(0, split.ShardCount).Select(s => AttributionExperiment.DomainOf(split.IdsOfShard(s))).ToArray();
        var methods = new List<(string Name, double[]? Weights)>();
        for (var s = 0; s < split.ShardCount; s++)
        {
            methods.Add(($"{domains[s]} shard alone", Enumerable.Range(0, split.ShardCount).Select(i => i == s ? 1.0 : 0.0).ToArray()));
        }

        methods.Add(($"fixed mixture ({string.Join(", ", Enumerable.Repeat("0.5", split.ShardCount))})", Enumerable.Repeat(1.0 / split.ShardCount, split.ShardCount).ToArray()));
        methods.Add(("CDM, ito-density router", null));
        var caption = $"Out-of-distribution request on {split.Name}: column = requested class 0..9 (a digit and a garment share each label); rows = " +
                      string.Join("; ", methods.Select((m, i) => $"{i + 1}: {m.Name}"));
        var done = methods.All(m => table.Rows.Of(run).Any(r => r.Method == m.Name)) && File.Exists(gridPath);
        if (done)
        {
            return (table, new CaptionedImage(caption, gridPath));
        }

        var measured = new List<OodRow>();
        using var pipeline = new CdmPipeline(run, settings.Domain.Scale);
        var models = pipeline.TrainShards(split);
        var denoisers = models.Select(m => m.LoadDenoiser()).ToArray();
        var rows = new List<Tensor>();
        try
        {
            using var judge = DomainJudge.Load(run.Log);
            foreach (var (name, weights) in methods)
            {
                // The CDM row opens through the shard store like every composition; the fixed mixtures are probes with weights no router gives.
                using var composed = weights is null
                    ? SplitStore.Create(pipeline, split, Path.Combine(Path.GetDirectoryName(run.Models.Root)!, "registries", "memorization", run.Profile, $"seed-{run.Seed}", split.Name))
                        .Compose(RouterKind.Ito)
                    : null;
                IDenoiser denoiser = weights switch
                {
                    null => composed!.Denoiser,
                    _ when weights.Count(w => w > 0) == 1 => denoisers[Array.IndexOf(weights, 1.0)],
                    _ => new ComposedDenoiser(denoisers, new NaiveAveragingRouter(ShardPriors.FromWeights(weights))),
                };
                run.Log($"Fig. 4A, {name}: generating {settings.OodSamplesPerClass * 10} samples");
                using var samples = pipeline.Generate(name, denoiser, run.Seed * 1000 + 600, settings.OodSamplesPerClass);
                var judged = judge.DomainProbabilities(samples.Images);
                var entropy = judged.Average(p => -p.Where(q => q > 0).Sum(q => q * Math.Log2(q)));
                // OodRow has one column per judged domain; a judge with other domains must fail here, not record zeros.
                double Judged(string domain)
                {
                    var index = DomainJudge.Domains.ToList().IndexOf(domain);
                    return index < 0
                        ? throw new InvalidOperationException($"The domain judge has no domain '{domain}' (its domains: {string.Join(", ", DomainJudge.Domains)}); OodRow's columns must follow them.")
                        : ResultValue.Round(judged.Count(p => CreditLedger.ArgMax(p) == index) / (double)judged.Length);
                }

                measured.Add(new OodRow(split.Dataset, split.Name, name,
                    weights is null ? "posterior (ito-density)" : string.Join(" ", weights.Select(w => w.ToString("0.##", CultureInfo.InvariantCulture))),
                    run.Seed, run.Profile, judged.Length, Judged("mnist10k"), Judged("fashion-mnist"), ResultValue.Round(entropy),
                    ResultValue.Round(judged.Count(p => p.Max() < HybridMaxProbability) / (double)judged.Length), Math.Round(samples.Seconds, 1)));
                // Generate's requests cycle through the classes, so the first 10 samples are classes 0..9.
                rows.Add(samples.Images.narrow(0, 0, 10).clone());
            }

            table = ResultRows<OodRow>.Create(path, measured);
            using var grid = cat(rows.ToArray(), 0);
            ImageGrid.SavePng(grid, gridPath, columns: 10);
        }
        finally
        {
            foreach (var r in rows)
            {
                r.Dispose();
            }

            foreach (var d in denoisers)
            {
                d.Network.Dispose();
            }
        }

        return (table, new CaptionedImage(caption, gridPath));
    }
}
