using System.Diagnostics;
using System.Globalization;
using CdmNotebooks.Composition;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Evaluation;
using CdmNotebooks.Reporting;
using CdmNotebooks.TextToImage;
using static TorchSharp.torch;

namespace CdmNotebooks.Experiments.TextToImage;

/// <summary>E6: a monolithic text-conditional model versus compartmentalized models of 8 shards (trained from scratch, fine-tuned from a base trained on public scenes, or prompt-tuned on that frozen base; composed by the Ito-density router or naively averaged), scored by TIFA-style caption alignment on held-out prompts.</summary>
/// <remarks>
/// The paper (arXiv 2308.01937) reports that text-to-image CDMs improve TIFA by 14.33% over a monolithic model fine-tuned on MSCOCO.
/// Here captions describe composite scenes of Fashion-MNIST / MNIST-10k objects, the training scenes are split uniformly (the analogue of
/// splitting MSCOCO by source), and the answerers are a per-cell classifier, not a VQA model; their ceiling on real scenes is reported beside.
/// Every method samples the same held-out prompts from the same noise (DDPM, ancestral, classifier-free guidance).
/// FID uses the answerer's own cell logits (no feature network exists for scenes), so it is named "FID (cell-classifier logits, per cell)".
/// </remarks>
public sealed class TextToImageExperiment : Experiment<TextToImageSettings>
{
    /// <summary>The name of the FID used here: Fréchet distance between the 21-way cell-classifier logits of generated and real held-out scene cells.</summary>
    public const string FidName = "FID (cell-classifier logits, per cell)";

    /// <summary>Method name of the monolithic text-conditional model trained from scratch.</summary>
    public const string Monolithic = "monolithic (all private scenes)";

    /// <summary>Method name of the monolithic model fine-tuned from the public base: the paper's comparison (Stable Diffusion fine-tuned on all of MSCOCO).</summary>
    public const string MonolithicFineTuned = "monolithic fine-tuned from the base (all private scenes)";

    private const string RealMethod = "real held-out scenes (answerer ceiling)";
    private const string ChanceMethod = "chance (uniform random answers)";

    /// <inheritdoc />
    public override string Name => "text-to-image";

    /// <inheritdoc />
    public override string Question => "Does a compartmentalized text-to-image model (8 shards, trained from scratch, fine-tuned or prompt-tuned) align images with their captions (TIFA-style) at least as well as a monolithic model trained on all the data?";

    /// <inheritdoc />
    protected override TextToImageSettings DefaultSettings(string profile) => TextToImageSettings.For(profile);

    /// <summary>The TIFA-style score a uniformly random answerer expects on <paramref name="captions"/>: per question 1/options (yes/no 1/2, identity 1/21 words, counts 1/5 of 0..4), averaged per prompt then over prompts.</summary>
    public static double ChanceScore(IEnumerable<string> captions)
    {
        ArgumentNullException.ThrowIfNull(captions);
        var perPrompt = captions.Select(c => QuestionGenerator.Generate(c).Average(q => q.Kind switch
        {
            QuestionKind.Existence or QuestionKind.Position => 1 / 2.0,
            QuestionKind.Identity => 1.0 / SceneVocabulary.CellClassCount,
            QuestionKind.Count => 1 / 5.0,
            _ => throw new ArgumentOutOfRangeException(nameof(captions), q.Kind, "Unknown question kind."),
        })).ToArray();
        return perPrompt.Length == 0 ? throw new ArgumentException("No captions given.", nameof(captions)) : perPrompt.Average();
    }

    /// <inheritdoc />
    protected override void Measure(ExperimentRun run, TextToImageSettings settings, ExperimentOutput output)
    {
        run.Log("loading the scene dataset and its source images");
        var dataset = SceneDataset.Load();
        if (settings.TrainScenes > dataset.Train.Count || settings.AnswererTrainScenes > dataset.Train.Count
            || settings.EvalPrompts + settings.ReferenceScenes > dataset.HeldOut.Count)
        {
            throw new ArgumentException($"The settings ask for {settings.TrainScenes} training / {settings.AnswererTrainScenes} answerer scenes and " +
                                        $"{settings.EvalPrompts}+{settings.ReferenceScenes} held-out scenes; the dataset has {dataset.Train.Count} and {dataset.HeldOut.Count}.");
        }

        var content = dataset.ToManifest().ContentSha256;
        var renderer = SceneRenderer.ForRealData(dataset.Config.CellSize);
        var side = dataset.Config.CanvasSize;
        var trainScenes = dataset.Train.Take(settings.TrainScenes).ToArray();
        var split = settings.CrossDomain
            ? SceneSplit.CrossDomain(trainScenes, settings.ShardCount, run.Seed)
            : SceneSplit.Uniform(trainScenes, settings.ShardCount, settings.PublicFraction, run.Seed);
        var privateScenes = split.Private;
        var (evalScenes, referenceScenes) = SceneSampling.HeldOutScenes(dataset.HeldOut, settings);
        var prompts = evalScenes.Select(s => s.Caption).ToArray();
        var answerers = new AnswererCache(Path.Combine(run.Models.Root, "answerers"));
        var splitName = $"scenes-{(settings.CrossDomain ? "digits-to-garments" : "uniform")}-{settings.ShardCount}-seed{run.Seed}";
        TrainingDataIdentity Identity(string shard, IEnumerable<Scene> scenes) =>
            new("scenes", splitName, shard, DataIdentity.Of(scenes.Select(s => s.Id).Append("scene-content:" + content)));

        // 1. The answerers (trained on real training scenes) and their ceiling on the real images of the evaluation prompts.
        run.Log("answerer (cell classifier)");
        var answererScenes = dataset.Train.Take(settings.AnswererTrainScenes).ToArray();
        var answerer = answerers.GetOrTrain(settings.Answerer with { CellSize = dataset.Config.CellSize }, Identity("answerer", answererScenes).Identity, () =>
        {
            var images = renderer.Render(answererScenes);
            output.Own(images);
            return (images, SceneRenderer.CellCategories(answererScenes));
        }, run.Log);
        var classifier = output.Own(CellClassifier.Load(answerer.Path));
        var evalReal = output.Own(renderer.Render(evalScenes));
        var referenceReal = output.Own(renderer.Render(referenceScenes));
        var referenceLogits = output.Own(SceneSampling.CellLogits(classifier, referenceReal));
        var ceiling = AnswererEvaluation.Evaluate(classifier, evalReal, evalScenes, settings.BootstrapResamples, run.Seed);
        var scorer = new TifaScorer(new CellClassifierAnswerer(classifier), settings.BootstrapResamples, run.Seed);
        var chance = ChanceScore(prompts);

        // 2. Models, all through the one trainer and the model cache. The base, trained on the public part (pretraining outside compute parity, like
        //    Stable Diffusion in the paper), starts the fine-tuned models and stays frozen under the prompts. From scratch and fine-tuned alike: a monolithic
        //    model on all private scenes and one model per shard with compute parity (1/8 of the data, 1/8 of the steps); prompt-tuned: one context per
        //    shard with the same per-shard budget.
        var trainClock = Stopwatch.StartNew();
        BaseLineage.CheckDisjoint(split.Public.Select(s => s.Id).ToArray(), privateScenes.Select(s => s.Id).ToArray(), "the E6 base's public scenes", "the private shards");
        TrainedModel Train(string what, string shard, IReadOnlyList<Scene> scenes, TrainingConfig config, TrainedModel? from)
        {
            run.Log($"{what} on {scenes.Count} scenes, {config.TrainSteps} steps{(from is null ? "" : " from the base")}");
            var identity = Identity(shard, scenes);
            return run.Models.GetOrTrain(config, identity, () => TrainingData.WithCaptions(renderer.Render(scenes), scenes.Select(s => s.Caption).ToArray(), identity), run, from);
        }

        var baseModel = Train("base", "public", split.Public, settings.Paragon with { TrainSteps = settings.BaseSteps, Seed = run.Seed * 1000 + 50 }, null);
        var baseLineage = BaseLineage.Of(Checkpoint.ReadHeader(baseModel.CheckpointPath));
        TrainingConfig Config(int steps, long seed, bool fineTuned) => settings.Paragon with { TrainSteps = steps, Seed = seed, Base = fineTuned ? baseLineage : null };
        var shardSteps = split.Shards.Select(s => settings.ShardSteps(s.Count, privateScenes.Count)).ToArray();
        var paragon = Train("monolithic model", "all", privateScenes, Config(settings.Paragon.TrainSteps, run.Seed * 1000 + 1, false), null);
        var fullShards = split.Shards.Select((scenes, k) => Train($"full shard {k}", $"{k}", scenes, Config(shardSteps[k], run.Seed * 1000 + 100 + k, false), null)).ToArray();
        var paragonFineTuned = Train("fine-tuned monolithic model", "all", privateScenes, Config(settings.Paragon.TrainSteps, run.Seed * 1000 + 2, true), baseModel);
        var fineTunedShards = split.Shards.Select((scenes, k) => Train($"fine-tuned shard {k}", $"{k}", scenes, Config(shardSteps[k], run.Seed * 1000 + 300 + k, true), baseModel)).ToArray();
        var promptShards = split.Shards.Select((scenes, k) =>
            Train($"prompt for shard {k}", $"{k}", scenes, settings.PromptConfig(baseLineage, shardSteps[k], run.Seed * 1000 + 200 + k), baseModel)).ToArray();
        run.Log($"models ready in {trainClock.Elapsed.TotalSeconds:F0} s");

        // 3. Methods, all sampled from the same noise on the same prompts.
        var methods = new SceneMethods(run, settings, output, new SceneModels(baseModel, paragon, paragonFineTuned, fullShards, fineTunedShards, promptShards,
            split.Shards.Select(s => s.Count).ToArray()));

        var tablePath = run.ResultPath("text-to-image.csv");
        // Rows of earlier runs with another profile or seed are kept; this run's rows are measured afresh.
        var table = ResultRows<TextToImageRow>.Open(tablePath).Rows.Where(r => r.Profile != run.Profile || r.Seed != run.Seed).ToList();
        var mismatched = prompts.Skip(1).Append(prompts[0]).ToArray();
        var realFid = Fid.ComputeWithBootstrap(output.Own(SceneSampling.CellLogits(classifier, evalReal)), referenceLogits, 50, run.Seed);
        TextToImageTable.AddRow(table, run, settings, RealMethod, "real", "-", ceiling.TrueCaptions, ceiling.MismatchedCaptions, realFid, 0, 0, 0, 0, null, null);
        table.Add(new TextToImageRow(run.Profile, run.Seed, settings.ShardCount, ChanceMethod, "chance", "-", prompts.Length, null, ResultValue.Round(chance),
            null, null, null, null, null, null, null, null, null, null, null, "", null, null, null, null, null, null));
        var gridRows = new List<Tensor> { output.Own(evalReal.narrow(0, 0, settings.GridPrompts).clone()) };
        var methodGrids = new List<(string Path, string Caption)>();
        foreach (var method in methods.All)
        {
            run.Log($"{method.Name}: sampling {prompts.Length} prompts");
            var denoiser = method.Build();
            var (samples, seconds, sumError, topWeight) = SceneSampling.Sample(run, settings, denoiser, prompts, side);
            output.Own(samples);
            var tifa = scorer.Score(samples, prompts);
            var tifaMismatched = scorer.Score(samples, mismatched);
            using var logits = SceneSampling.CellLogits(classifier, samples);
            var fid = Fid.ComputeWithBootstrap(logits, referenceLogits, 50, run.Seed);
            TextToImageTable.AddRow(table, run, settings, method.Name, method.Variant, method.Router?.Name() ?? "-", tifa, tifaMismatched, fid, method.TrainSteps, method.TrainSeconds,
                method.PretrainSeconds, seconds, sumError, topWeight);
            run.Log(string.Create(CultureInfo.InvariantCulture, $"  TIFA {tifa.Score:F4} [{tifa.ConfidenceLow:F4}, {tifa.ConfidenceHigh:F4}], mismatched {tifaMismatched.Score:F4}, {FidName} {fid.Value:F2}, {seconds:F0} s"));
            var grid = samples.narrow(0, 0, settings.GridPrompts);
            var gridPath = run.ResultPath($"grid-{Slug(method.Name)}.png");
            ImageGrid.SavePng(grid, gridPath, columns: settings.GridPrompts, scale: 3);
            methodGrids.Add((gridPath, $"{method.Name}: the first {settings.GridPrompts} held-out prompts"));
            gridRows.Add(output.Own(grid.clone()));
        }

        var rows = ResultRows<TextToImageRow>.Create(tablePath, table);
        var allPath = run.ResultPath("grid-all-methods.png");
        using (var all = cat(gridRows.ToArray(), 0))
        {
            ImageGrid.SavePng(all, allPath, columns: settings.GridPrompts, scale: 3);
        }

        var promptList = string.Join("; ", prompts.Take(settings.GridPrompts).Select((p, i) => $"{i + 1}. {p}"));
        output.File(rows.Path);
        output.Image(allPath, $"Same prompts, same noise. Rows: real scene, then {string.Join(", ", methods.All.Select(m => m.Name))}. Columns (prompts): {promptList}");
        methodGrids.ForEach(g => output.Image(g.Path, g.Caption));
        var relative = ResultRows<TextToImageRelativeRow>.Create(run.ResultPath("relative-to-monolithic.csv"), TextToImageTable.Relative(table, run));
        output.File(relative.Path);
        output.Figure(TextToImageCharts.Tifa(run, table), "fig-tifa-by-method");
        output.Figure(TextToImageCharts.ByQuestionKind(run, table), "fig-tifa-by-question-kind");

        var baseFingerprint = Checkpoint.Fingerprint(methods.Base.Value.Network);
        var frozenFingerprints = methods.PromptModels.Value.Select(d => Checkpoint.Fingerprint(d.Network, includePrompt: false)).ToArray();
        output.Check(TextToImageChecks.Of(run, table, chance, ceiling, frozenFingerprints, baseFingerprint, settings.AboveChanceCheck));

        output.Table("TIFA-style alignment and FID per method (held-out prompts)", rows.ToTable());
        output.Table("TIFA change relative to the monolithic model started the same way (paper: +14.33%)", relative.ToTable());
        output.RunInfo["split"] = $"{(settings.CrossDomain ? "cross-domain: the base's public part is every scene of digits only" : "uniform")}: {split.Public.Count} public scenes, {settings.ShardCount} shards of {string.Join("/", split.Shards.Select(s => s.Count))} private scenes";
        output.RunInfo["prompts"] = $"{prompts.Length} held-out scenes (distinct held-out captions)";
        output.RunInfo["answerer"] = $"{answerer.Key}: {answerer.TrainSteps} steps on {answererScenes.Length} real training scenes; cell accuracy {ceiling.CellAccuracy:F4}";
        output.RunInfo["chanceTifa"] = chance.ToString("F4", CultureInfo.InvariantCulture);
        output.RunInfo["fid"] = FidName;
        output.RunInfo["cache"] = run.Models.Root;
    }

    private static string Slug(string name)
    {
        var slug = new string(name.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '-').ToArray());
        while (slug.Contains("--", StringComparison.Ordinal))
        {
            slug = slug.Replace("--", "-", StringComparison.Ordinal);
        }

        return slug.Trim('-');
    }

}
