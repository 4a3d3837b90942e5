using CdmNotebooks.Composition;
using CdmNotebooks.Composition.Registry;
using CdmNotebooks.Diffusion;

namespace CdmNotebooks.Experiments.TextToImage;

/// <summary>E6's trained models: the base, the two monolithic models and the three kinds of shards (from scratch, fine-tuned, prompt-tuned).</summary>
internal sealed record SceneModels(
    TrainedModel Base,
    TrainedModel Monolithic,
    TrainedModel MonolithicFineTuned,
    TrainedModel[] FullShards,
    TrainedModel[] FineTunedShards,
    TrainedModel[] PromptShards,
    int[] ShardSceneCounts);

/// <summary>One E6 method: how to build the denoiser it samples, and what it cost.</summary>
internal sealed record SceneMethod(string Name, string Variant, RouterKind? Router, int TrainSteps, double TrainSeconds, double PretrainSeconds, Func<IDenoiser> Build);

/// <summary>
/// E6's methods over its models, every one sampled from the same noise on the same prompts: each monolithic model; each kind of shards composed
/// by the Ito-density router and by naive averaging, plus one shard alone; for the fine-tuned shards (the paper's setting) also the two baselines at
/// one model's cost, the random shard pick and the model soup; and the base alone. Loaded networks are owned by the run's output.
/// </summary>
internal sealed class SceneMethods
{
    private readonly ExperimentRun _run;
    private readonly ExperimentOutput _output;

    internal SceneMethods(ExperimentRun run, TextToImageSettings settings, ExperimentOutput output, SceneModels models)
    {
        _run = run;
        _output = output;
        var priors = ShardPriors.FromWeights(models.ShardSceneCounts.Select(c => (double)c).ToArray());
        Base = new Lazy<UNetDenoiser>(() => Load(models.Base));
        var fullModels = Loaded(models.FullShards);
        var fineTunedModels = Loaded(models.FineTunedShards);
        PromptModels = Loaded(models.PromptShards);
        // Ito and naive compose densely (the committed standard rows are dense); random pick evaluates only the drawn shard, as the registry composes it.
        var recording = new CompositionOptions(RecordWeights: true);
        var randomPickOptions = RegistryComposer.DefaultOptions(RouterKind.RandomPick) with { RecordWeights = true };
        var shards = settings.ShardCount;
        var baseSeconds = models.Base.TrainSeconds;

        SceneMethod Composed(string label, string variant, RouterKind kind, TrainedModel[] trained, double pretrainSeconds, Lazy<UNetDenoiser[]> denoisers,
            Func<IRouter> router) =>
            new($"CDM-{shards} {label}, {RouterLabel(kind)}", variant, kind, trained.Sum(m => m.TrainSteps), trained.Sum(m => m.TrainSeconds), pretrainSeconds,
                () => new ComposedDenoiser(Sampled(denoisers.Value), router(), options: kind == RouterKind.RandomPick ? randomPickOptions : recording));

        // Every shard variant is composed twice over the same shard denoisers: Ito-density posterior weights and naive averaging.
        SceneMethod[] Compositions(string label, string variant, TrainedModel[] trained, double pretrainSeconds, Lazy<UNetDenoiser[]> denoisers) =>
        [
            Composed(label, variant, RouterKind.Ito, trained, pretrainSeconds, denoisers, () => new ItoDensityRouter(priors, denoisers.Value[0].Schedule)),
            Composed(label, variant, RouterKind.Naive, trained, pretrainSeconds, denoisers, () => new NaiveAveragingRouter(priors)),
        ];

        // One model alone; a shard reuses the loaded shard models (build), a monolithic model loads its own checkpoint.
        SceneMethod Single(string name, string variant, TrainedModel model, double pretrainSeconds, Func<IDenoiser>? build = null) =>
            new(name, variant, null, model.TrainSteps, model.TrainSeconds, pretrainSeconds, () => Mutated(build is null ? Load(model) : build(), shards));

        All =
        [
            Single(TextToImageExperiment.Monolithic, "monolithic", models.Monolithic, 0),
            .. Compositions("full shards", "full", models.FullShards, 0, fullModels),
            Single("single full shard (shard 0)", "full", models.FullShards[0], 0, () => fullModels.Value[0]),
            Single(TextToImageExperiment.MonolithicFineTuned, "monolithic-ft", models.MonolithicFineTuned, baseSeconds),
            .. Compositions("fine-tuned shards", "fine-tuned", models.FineTunedShards, baseSeconds, fineTunedModels),
            Composed("fine-tuned shards", "fine-tuned", RouterKind.RandomPick, models.FineTunedShards, baseSeconds, fineTunedModels,
                () => output.Own(new RandomPickRouter(priors, run.Seed * 1000 + 900))),
            new($"model soup of the {shards} fine-tuned shards", "fine-tuned", null, models.FineTunedShards.Sum(m => m.TrainSteps), models.FineTunedShards.Sum(m => m.TrainSeconds), baseSeconds,
                () => Mutated(Owned(ModelSoup.Average(models.FineTunedShards.Select(m => m.CheckpointPath).ToArray(), models.ShardSceneCounts.Select(c => (double)c).ToArray())), shards)),
            Single("single fine-tuned shard (shard 0)", "fine-tuned", models.FineTunedShards[0], baseSeconds, () => fineTunedModels.Value[0]),
            .. Compositions("prompt-tuned shards", "prompt", models.PromptShards, baseSeconds, PromptModels),
            Single("base alone (public scenes, no prompt)", "base", models.Base, 0, () => Base.Value),
        ];
    }

    /// <summary>The methods in the table's order.</summary>
    internal IReadOnlyList<SceneMethod> All { get; }

    /// <summary>The base model (for its fingerprint).</summary>
    internal Lazy<UNetDenoiser> Base { get; }

    /// <summary>The prompt-tuned shards (for the frozen-base check).</summary>
    internal Lazy<UNetDenoiser[]> PromptModels { get; }

    private static string RouterLabel(RouterKind kind) => kind switch
    {
        RouterKind.Ito => "ito-density router",
        RouterKind.Naive => "naive averaging",
        RouterKind.RandomPick => "random pick",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "E6 composes with the Ito-density router, naive averaging and random pick."),
    };

    private UNetDenoiser Owned(UNetDenoiser denoiser)
    {
        _output.Own(denoiser.Network);
        return denoiser;
    }

    private UNetDenoiser Load(TrainedModel model) => Owned(model.LoadDenoiser());

    private Lazy<UNetDenoiser[]> Loaded(TrainedModel[] models) => new(() => models.Select(Load).ToArray());

    // The noise mutation (the mutation tests) swaps every model a method samples for one that returns noise; compositions still compose and record weights.
    private IDenoiser Mutated(IDenoiser denoiser, int seed) =>
        _run.Mutation == ExperimentMutation.NoiseDenoiser ? _output.Own(new NoiseDenoiser(denoiser.Schedule, _run.Seed * 1000 + 800 + seed)) : denoiser;

    private IDenoiser[] Sampled(UNetDenoiser[] denoisers) => denoisers.Select((d, k) => Mutated(d, k)).ToArray();
}
