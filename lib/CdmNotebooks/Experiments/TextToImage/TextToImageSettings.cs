using CdmNotebooks.Diffusion;
using CdmNotebooks.TextToImage;

namespace CdmNotebooks.Experiments.TextToImage;

/// <summary>What E6 (text-to-image) measures under a profile: how many scenes, the split, the model sizes and step budgets (compute parity), the answerer, and the evaluation prompts.</summary>
/// <param name="TrainScenes">Training scenes used (the first N of the committed scene dataset).</param>
/// <param name="ShardCount">Private shards (the paper: 8).</param>
/// <param name="PublicFraction">Fraction of the training scenes reserved as the public part the base model learns from (in-domain only).</param>
/// <param name="CrossDomain">The base learns only the scenes of digits, and the private part (monolithic model and shards) and the held-out prompts are the scenes with a garment: a base that cannot draw what the prompts ask for, so the monolithic model's alignment comes from fine-tuning and +14 % over it stays testable. Otherwise both parts are drawn uniformly from all scenes (in-domain), where the base alone already scores about what the fine-tuned models do.</param>
/// <param name="Paragon">The monolithic text-conditional model (a UNet with a text encoder, trained by the one trainer), trained on all private scenes (from scratch, and fine-tuned from the base); a shard model gets 1/ShardCount of its steps (compute parity).</param>
/// <param name="BaseSteps">Optimizer steps of the base model on the public part (pretraining, outside compute parity: the paper's base is Stable Diffusion); fine-tuned models start from it, prompts are tuned on it frozen.</param>
/// <param name="PromptTokens">Context vectors each prompt-tuned shard learns on the frozen base, with the full shard's steps (the same per-shard budget).</param>
/// <param name="PromptLearningRate">Learning rate of the prompt contexts (a few vectors take a larger rate than a whole network).</param>
/// <param name="Answerer">The cell classifier behind the TIFA-style answerers.</param>
/// <param name="AnswererTrainScenes">Real training scenes the answerer learns from.</param>
/// <param name="EvalPrompts">Held-out scenes (held-out prompts, distinct captions) every method is sampled and scored on.</param>
/// <param name="ReferenceScenes">Other real held-out scenes: the FID reference.</param>
/// <param name="SamplerSteps">DDPM (ancestral) sampling steps; ancestral paths are what the Ito-density router needs.</param>
/// <param name="GuidanceScale">Classifier-free guidance scale of every method.</param>
/// <param name="GridPrompts">Prompts shown in the sample grids.</param>
/// <param name="BootstrapResamples">Resamples of the TIFA and FID intervals.</param>
/// <param name="AboveChanceCheck">Whether the verdict also requires the fine-tuned models to score above chance. Every profile checks that they follow their own prompts better than mismatched ones; smoke models learn where the objects go within their budget, not yet what they are, so they score below chance.</param>
public sealed record TextToImageSettings(
    int TrainScenes,
    int ShardCount,
    double PublicFraction,
    bool CrossDomain,
    TrainingConfig Paragon,
    int BaseSteps,
    int PromptTokens,
    double PromptLearningRate,
    CellClassifierConfig Answerer,
    int AnswererTrainScenes,
    int EvalPrompts,
    int ReferenceScenes,
    int SamplerSteps,
    double GuidanceScale,
    int GridPrompts,
    int BootstrapResamples,
    bool AboveChanceCheck)
{
    /// <summary>Optimizer steps of one full shard (and of one shard's prompt tuning): the paragon's steps times the shard's data fraction.</summary>
    public int ShardSteps(int shardScenes, int privateScenes) => Math.Max(1, (int)Math.Round(Paragon.TrainSteps * shardScenes / (double)privateScenes));

    /// <summary>The configuration of a shard's prompt tuning on <paramref name="baseModel"/>: the paragon's networks plus the context, only the context trains, no caption dropout (the null caption ignores the context, so dropped rows would teach it nothing) and no weight decay.</summary>
    public TrainingConfig PromptConfig(BaseLineage baseModel, int steps, long seed) => Paragon with
    {
        Model = Paragon.Model with { PromptTokens = PromptTokens },
        Trains = TrainedParameters.Prompt,
        Base = baseModel,
        TrainSteps = steps,
        Seed = seed,
        LearningRate = PromptLearningRate,
        ClassDropout = 0,
        WeightDecay = 0,
    };

    /// <summary>The settings as name/value rows, for a notebook table.</summary>
    public IReadOnlyDictionary<string, string> Describe()
    {
        var publicScenes = (int)Math.Round(TrainScenes * PublicFraction);
        var privateScenes = TrainScenes - publicScenes;
        var shardScenes = privateScenes / ShardCount;
        var m = Paragon.Model;
        return new Dictionary<string, string>
        {
            ["training scenes"] = CrossDomain
                ? $"{TrainScenes}, cross-domain: the base learns every scene of digits only; the private part is every scene with a garment, in {ShardCount} uniform shards; the held-out prompts have a garment too"
                : $"{TrainScenes} (public {publicScenes} for the base; private {privateScenes} in {ShardCount} uniform shards of ~{shardScenes})",
            ["text model"] = $"UNet base {m.BaseChannels} x [{string.Join(",", m.ChannelMultipliers)}], self-attention at [{string.Join(",", m.AttentionResolutions)}], cross-attention to the words at [{string.Join(",", m.CrossAttentionResolutions ?? [])}], predicts {m.Prediction}; encoder width {m.TextEncoder!.Width}, {m.TextEncoder.Layers} layers; EMA {Paragon.EmaDecay}",
            ["base"] = $"{BaseSteps} steps on the public part (pretraining, outside compute parity)",
            ["monolithic"] = $"{Paragon.TrainSteps} steps of batch {Paragon.BatchSize} on all private scenes, caption dropout {Paragon.ClassDropout}; once from scratch, once fine-tuned from the base",
            ["full shards"] = $"{ShardSteps(shardScenes, privateScenes)} steps each from scratch (compute parity: {ShardCount} shards cost the monolithic model's steps)",
            ["fine-tuned shards"] = $"{ShardSteps(shardScenes, privateScenes)} steps each from the base (the paper's setting; the same parity against the fine-tuned monolithic model)",
            ["prompt-tuned shards"] = $"base frozen; each shard learns {PromptTokens} context vectors in {ShardSteps(shardScenes, privateScenes)} steps",
            ["answerer"] = $"cell classifier, {Answerer.TrainSteps} steps on {AnswererTrainScenes} real training scenes",
            ["evaluation"] = $"{EvalPrompts} held-out prompts, ddpm {SamplerSteps} steps, guidance {GuidanceScale}; FID reference {ReferenceScenes} other real held-out scenes",
        };
    }

    /// <summary>The settings of <paramref name="profile"/>.</summary>
    public static TextToImageSettings For(string profile) => profile switch
    {
        "smoke" => new TextToImageSettings(
            TrainScenes: 4000, ShardCount: 8, PublicFraction: 0.25, CrossDomain: false,
            Model("smoke", baseChannels: 8, multipliers: [1, 2], attention: [], crossAttention: [14], embedding: 32, width: 32, layers: 1, steps: 160, batch: 32, ModelProfiles.ShortBudgetPrediction) with { LearningRateDecay = "cosine", MinSnrGamma = 5 },
            BaseSteps: 1200,
            PromptTokens: 4, PromptLearningRate: 1e-2,
            new CellClassifierConfig { TrainSteps = 300 },
            AnswererTrainScenes: 4000, EvalPrompts: 64, ReferenceScenes: 200, SamplerSteps: 12, GuidanceScale: 2.0, GridPrompts: 8, BootstrapResamples: 200, AboveChanceCheck: false),
        // The base trains three times the monolithic model's steps (38 passes over its 4,000 public scenes): a base at chance gives the
        // fine-tuned shards nothing to start from (README, E6). 256 prompts let the interval of a TIFA ratio resolve the paper's +14 %.
        "standard" => new TextToImageSettings(
            TrainScenes: 20000, ShardCount: 8, PublicFraction: 0.2, CrossDomain: true,
            Model("standard", baseChannels: 16, multipliers: [1, 2], attention: [], crossAttention: [14], embedding: 64, width: 64, layers: 2, steps: 1600, batch: 32, ModelProfiles.ShortBudgetPrediction),
            BaseSteps: 4800,
            PromptTokens: 4, PromptLearningRate: 1e-2,
            new CellClassifierConfig { TrainSteps = 1500 },
            AnswererTrainScenes: 20000, EvalPrompts: 256, ReferenceScenes: 1000, SamplerSteps: 20, GuidanceScale: 2.0, GridPrompts: 10, BootstrapResamples: 1000,
            AboveChanceCheck: true),
        "paper" => new TextToImageSettings(
            TrainScenes: 20000, ShardCount: 8, PublicFraction: 0.2, CrossDomain: true,
            Model("paper", baseChannels: 32, multipliers: [1, 2, 2], attention: [7], crossAttention: [14, 7], embedding: 128, width: 64, layers: 2, steps: 40000, batch: 128, PredictionKind.Epsilon),
            BaseSteps: 20000,
            PromptTokens: 8, PromptLearningRate: 1e-2,
            new CellClassifierConfig { TrainSteps = 3000 },
            AnswererTrainScenes: 20000, EvalPrompts: 1000, ReferenceScenes: 1000, SamplerSteps: 250, GuidanceScale: 2.0, GridPrompts: 10, BootstrapResamples: 1000,
            AboveChanceCheck: true),
        _ => throw new ArgumentException($"Unknown profile '{profile}'. Use smoke, standard or paper.", nameof(profile)),
    };

    // The optimizer settings are those the text models had before they moved onto the one trainer (constant rate, no warm-up, weight decay
    // 1e-4, clipping at 1); EMA is new there, with a horizon (~200 steps) a 20-step smoke shard and a 1,600-step paragon both fit.
    private static TrainingConfig Model(string profile, int baseChannels, int[] multipliers, int[] attention, int[] crossAttention, int embedding, int width, int layers, int steps, int batch, PredictionKind prediction) => new()
    {
        Profile = profile,
        Model = new UNetConfig
        {
            ClassCount = 0, EmbeddingDim = embedding, BaseChannels = baseChannels, ChannelMultipliers = multipliers,
            AttentionResolutions = attention, CrossAttentionResolutions = crossAttention, NormGroups = Math.Min(8, baseChannels), Prediction = prediction,
            TextEncoder = new TextEncoderConfig { Width = width, Heads = 4, Layers = layers, FeedForward = 2 * width, OutputDim = embedding, MaxContextTokens = 8 },
        },
        TrainSteps = steps,
        BatchSize = batch,
        LearningRate = 1e-3,
        WarmupSteps = 0,
        EmaDecay = 0.995,
        ClassDropout = 0.1,
    };
}
