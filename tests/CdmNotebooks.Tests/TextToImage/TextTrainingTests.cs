using System.Security.Cryptography;
using CdmNotebooks.Composition;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using CdmNotebooks.TextToImage;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.TextToImage;

/// <summary>Text-conditioned models train, fine-tune, prompt-tune, checkpoint and resume through the one trainer (<see cref="DiffusionTrainer"/>, <see cref="Checkpoint"/>).</summary>
public sealed class TextTrainingTests
{
    [Fact]
    public void TextModelResumesBitExactlyAndLoadsAsADenoiserOfCaptions()
    {
        var root = Directory.CreateTempSubdirectory("cdm-text-train-").FullName;
        try
        {
            var config = TinyTextModel.Config with { TrainSteps = 4 };
            using var data = TinyTextModel.Data();
            string whole;
            using (var uninterrupted = new DiffusionTrainer(config, data, Path.Combine(root, "whole")))
            {
                uninterrupted.Train();
                whole = Checkpoint.Fingerprint(uninterrupted.Ema);
            }

            using (var first = new DiffusionTrainer(config, data, Path.Combine(root, "split")))
            {
                first.Train(untilStep: 2);
            }

            using var resumed = new DiffusionTrainer(config, data, Path.Combine(root, "split"));
            Assert.Equal(2, resumed.Step);
            resumed.Train();
            Assert.Equal(whole, Checkpoint.Fingerprint(resumed.Ema));

            var denoiser = Checkpoint.LoadDenoiser(resumed.LatestCheckpoint!, data.Identity);
            var conditioning = TextConditioning.FromCaptions(["a 7 top left", "a 0 bottom left"]);
            using var x = randn(2, 1, 28, 28);
            using var t = tensor(new long[] { 3, 90 });
            using var own = denoiser.PredictX0(x, t, conditioning);
            using var other = denoiser.PredictX0(x, t, TextConditioning.FromCaptions(["a sneaker bottom right", "a bag top right"]));
            Assert.True(own.isfinite().all().item<bool>());
            Assert.False(own.allclose(other), "the caption must change the prediction");
            denoiser.Network.Dispose();
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void FineTuningATextBaseStartsFromItsEmaWeightsAndLeavesTheBaseFileUntouched()
    {
        var root = Directory.CreateTempSubdirectory("cdm-text-ft-").FullName;
        try
        {
            using var publicData = TinyTextModel.Data("public");
            string baseCheckpoint;
            using (var baseTrainer = new DiffusionTrainer(TinyTextModel.Config, publicData, Path.Combine(root, "base")))
            {
                baseTrainer.Train();
                baseCheckpoint = baseTrainer.LatestCheckpoint!;
            }

            var baseBytes = SHA256.HashData(File.ReadAllBytes(baseCheckpoint));
            var header = Checkpoint.ReadHeader(baseCheckpoint);
            using var baseNetwork = new UNet(header.Config.Model);
            Checkpoint.LoadEmaWeights(baseCheckpoint, baseNetwork);
            using var shardData = TinyTextModel.Data("0", seed: 2);
            // One AdamW step of learning rate 1e-7 moves each weight by about 1e-7: a fine-tuned model stays next to its base, far from a fresh initialization.
            var config = TinyTextModel.Config with { TrainSteps = 1, LearningRate = 1e-7, Seed = 9, Base = BaseLineage.Of(header) };
            using var tuned = new DiffusionTrainer(config, shardData, Path.Combine(root, "tuned"), baseCheckpoint: baseCheckpoint);
            tuned.Train();
            using var fresh = new DiffusionTrainer(config with { Base = null }, shardData);
            fresh.Train();

            Assert.Equal(baseBytes, SHA256.HashData(File.ReadAllBytes(baseCheckpoint)));
            Assert.True(MaxDifference(tuned.Model, baseNetwork) < 1e-5, $"fine-tuned weights moved {MaxDifference(tuned.Model, baseNetwork):E2} from the base");
            Assert.True(MaxDifference(fresh.Model, baseNetwork) > 1e-2, $"a fresh model is only {MaxDifference(fresh.Model, baseNetwork):E2} from the base");
            Assert.Equal(config.Base, Checkpoint.ReadHeader(tuned.LatestCheckpoint!).Config.Base);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void TrainerRefusesDataOfTheOtherConditioningAndABaseOfAnotherArchitecture()
    {
        using var captioned = TinyTextModel.Data();
        var classConditional = TinyTextModel.Config with { Model = new UNetConfig { BaseChannels = 8, ChannelMultipliers = [1, 2], AttentionResolutions = [], NormGroups = 4 } };
        Assert.Contains("no text encoder", Assert.Throws<ArgumentException>(() => new DiffusionTrainer(classConditional, captioned)).Message, StringComparison.Ordinal);
        using var images = rand(4, 1, 28, 28);
        using var labels = tensor(new long[] { 0, 1, 2, 3 });
        using var labelled = new TrainingData(images, labels, new TrainingDataIdentity("fashion-mnist", "none", "all", "x"));
        Assert.Contains("WithCaptions", Assert.Throws<ArgumentException>(() => new DiffusionTrainer(TinyTextModel.Config, labelled)).Message, StringComparison.Ordinal);

        var wider = TinyTextModel.Config with { Model = TinyTextModel.Config.Model with { BaseChannels = 16, NormGroups = 8 } };
        Assert.Contains("Model.BaseChannels differs", BaseCompatibility.Mismatch(TinyTextModel.Config, wider), StringComparison.Ordinal);
        Assert.Contains("Model.TextEncoder differs", BaseCompatibility.Mismatch(TinyTextModel.Config with { Model = TinyTextModel.Config.Model with { TextEncoder = null } }, TinyTextModel.Config), StringComparison.Ordinal);
        var prompted = TinyTextModel.Config with { Model = TinyTextModel.Config.Model with { PromptTokens = 2 } };
        Assert.Null(BaseCompatibility.Mismatch(TinyTextModel.Config, prompted));
        Assert.Throws<ArgumentException>(() => (prompted with { Trains = TrainedParameters.Prompt }).Validate());
        Assert.Throws<ArgumentException>(() => (TinyTextModel.Config with { Model = TinyTextModel.Config.Model with { PromptTokens = 5 } }).Validate());
    }

    [Fact]
    public void PromptTuningTrainsOnlyTheContextAndShardsComposeThroughTheDenoiserContract()
    {
        var root = Directory.CreateTempSubdirectory("cdm-text-prompt-").FullName;
        try
        {
            using var digits = DatasetCatalog.Load("mnist10k", "test");
            var renderer = new SceneRenderer(14, digits);
            // 64 one-digit scenes: digit i % 10 in cell i % 4, drawn from the held-out digits.
            var scenes = Enumerable.Range(0, 64).Select(i =>
            {
                var source = Enumerable.Range(0, digits.Count).Where(j => digits.Labels[j] == i % 10).Skip(i / 10).First();
                return new Scene($"s/{i}", new SceneLayout([new PlacedObject(10 + i % 10, (GridCell)(i % 4))]), [digits.Ids[source]]);
            }).ToArray();
            TrainingData Data(string shard, IReadOnlyList<Scene> part) =>
                TrainingData.WithCaptions(renderer.Render(part), part.Select(s => s.Caption).ToArray(), new TrainingDataIdentity("scenes", "prompt-test", shard, shard));
            var config = TinyTextModel.Config with
            {
                Model = TinyTextModel.Config.Model with
                {
                    BaseChannels = 16, NormGroups = 8, EmbeddingDim = 32,
                    TextEncoder = new TextEncoderConfig { Width = 32, Heads = 2, Layers = 1, FeedForward = 64, OutputDim = 32, MaxContextTokens = 4 },
                },
                BatchSize = 16, TrainSteps = 10, EmaDecay = 0.9, CheckpointEvery = 100,
            };
            using var publicData = Data("public", scenes.Take(32).ToArray());
            using var shardData = Data("0", scenes.Skip(32).ToArray());
            string baseCheckpoint;
            using (var baseTrainer = new DiffusionTrainer(config, publicData, Path.Combine(root, "base")))
            {
                baseTrainer.Train();
                baseCheckpoint = baseTrainer.LatestCheckpoint!;
            }

            var lineage = BaseLineage.Of(Checkpoint.ReadHeader(baseCheckpoint));
            var prompt = config with
            {
                Model = config.Model with { PromptTokens = 2 }, Trains = TrainedParameters.Prompt, Base = lineage, TrainSteps = 60, LearningRate = 2e-2, ClassDropout = 0, WeightDecay = 0,
            };
            UNetDenoiser Tune(TrainingConfig tuning, TrainingData data, string folder)
            {
                using var trainer = new DiffusionTrainer(tuning, data, Path.Combine(root, folder), baseCheckpoint: baseCheckpoint);
                trainer.Train();
                Assert.All(trainer.Model.named_parameters(), p => Assert.Equal(p.name == UNet.PromptParameter, p.parameter.requires_grad));
                return Checkpoint.LoadDenoiser(trainer.LatestCheckpoint!);
            }

            var baseDenoiser = Checkpoint.LoadDenoiser(baseCheckpoint);
            var barelyTuned = Tune(prompt with { TrainSteps = 1 }, shardData, "barely");
            var tuned = Tune(prompt, shardData, "tuned");
            var other = Tune(prompt with { Seed = 2, TrainSteps = 5 }, publicData, "other");

            var frozen = Checkpoint.Fingerprint(baseDenoiser.Network);
            Assert.All(new[] { barelyTuned, tuned, other }, d => Assert.Equal(frozen, Checkpoint.Fingerprint(d.Network, includePrompt: false)));
            Assert.NotEqual(Checkpoint.Fingerprint(tuned.Network), Checkpoint.Fingerprint(barelyTuned.Network));
            Assert.True(ShardLoss(tuned, shardData) < ShardLoss(barelyTuned, shardData),
                $"tuned {ShardLoss(tuned, shardData):F5} vs barely tuned {ShardLoss(barelyTuned, shardData):F5}");

            // Two prompt-tuned shards share the frozen base and compose like any denoisers, with guidance on top.
            var composed = new ComposedDenoiser([tuned, other], new NaiveAveragingRouter(ShardPriors.Uniform(2)));
            var guided = new GuidedDenoiser(composed, 2.0);
            using var x = randn(3, 1, 28, 28);
            using var t = tensor(new long[] { 5, 50, 95 });
            var conditioning = TextConditioning.FromCaptions(["a 1 top left", "a 2 bottom right", "a 3 top right"]);
            using var x0 = guided.PredictX0(x, t, conditioning);
            Assert.Equal(x.shape, x0.shape);
            Assert.True(x0.isfinite().all().item<bool>());
            using var a = tuned.PredictX0(x, t, conditioning);
            using var b = other.PredictX0(x, t, conditioning);
            Assert.False(a.allclose(b));
            foreach (var d in new[] { baseDenoiser, barelyTuned, tuned, other })
            {
                d.Network.Dispose();
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void NullCaptionsDecodeToTheZeroEmbeddingPathWithoutNaN()
    {
        var conditioning = TextConditioning.FromCaptions(["a sneaker top left", "a 7 bottom right"]);
        var (tokens, isNull) = TextConditioning.Decode(conditioning.Null());
        Assert.True(isNull.all().item<bool>());
        Assert.Equal(SceneTokenizer.Cls, tokens[0, 0].item<long>());
        var (same, notNull) = TextConditioning.Decode(conditioning);
        Assert.False(notNull.any().item<bool>());
        Assert.Equal(SceneTokenizer.Tokenize("a sneaker top left"), same[0].narrow(0, 0, 5).data<long>().ToArray());
        using var network = new UNet(TinyTextModel.Config.Model);
        // TorchSharp 0.107 leaves GroupNorm affine parameters uninitialized (NaN losses); the UNet resets them.
        Assert.All(network.named_parameters().Where(p => p.name.Contains("norm", StringComparison.Ordinal) && !p.name.StartsWith("textEncoder", StringComparison.Ordinal)),
            p => Assert.True(p.parameter.eq(p.name.EndsWith("weight", StringComparison.Ordinal) ? 1f : 0f).all().item<bool>(), p.name));
        using var x = randn(2, 1, 28, 28);
        using var t = tensor(new long[] { 1, 99 });
        using var output = new UNetDenoiser(network, TinyTextModel.Config.CreateSchedule()).PredictX0(x, t, conditioning.Null());
        Assert.True(output.isfinite().all().item<bool>());
    }

    [Fact]
    public void CrossAttentionCarriesTheWordsToTheImageWhenThePooledCaptionIsCut()
    {
        // With the pooled caption embedding cut (its weights zeroed), only cross-attention can carry the caption: two captions must then give
        // different predictions with it, and identical ones without it (the control). Its output projection starts at zero, so it is set here.
        Tensor Difference(UNetConfig config)
        {
            manual_seed(3);
            using var network = new UNet(config);
            using (no_grad())
            {
                foreach (var (name, parameter) in network.named_parameters())
                {
                    if (name.StartsWith("vectorEmbedding.", StringComparison.Ordinal))
                    {
                        parameter.zero_();
                    }
                    else if (name.Contains(".projection.", StringComparison.Ordinal) && name.StartsWith("crossAttention.", StringComparison.Ordinal))
                    {
                        parameter.normal_(0, 0.5);
                    }
                }
            }

            var denoiser = new UNetDenoiser(network, TinyTextModel.Config.CreateSchedule());
            using var x = randn(2, 1, 28, 28, generator: new Generator(5));
            using var t = tensor(new long[] { 10, 60 });
            using var a = denoiser.PredictX0(x, t, TextConditioning.FromCaptions(["a 7 top left", "a bag bottom right"]));
            using var b = denoiser.PredictX0(x, t, TextConditioning.FromCaptions(["a sneaker bottom right", "a 2 top left"]));
            using var none = denoiser.PredictX0(x, t, TextConditioning.FromCaptions(["a 7 top left", "a bag bottom right"]).Null());
            Assert.True(none.isfinite().all().item<bool>(), "a null caption (every word masked) must attend to the null key, not produce NaN");
            return (a - b).abs().max();
        }

        using var withCross = Difference(TinyTextModel.Config.Model);
        using var without = Difference(TinyTextModel.Config.Model with { CrossAttentionResolutions = null });
        Assert.True(withCross.item<float>() > 1e-3, $"captions changed the prediction by only {withCross.item<float>():E2} through cross-attention");
        Assert.Equal(0f, without.item<float>());
        Assert.Contains("TextEncoder", Assert.Throws<ArgumentException>(() =>
            new UNetConfig { ClassCount = 10, CrossAttentionResolutions = [14] }.Validate()).Message, StringComparison.Ordinal);
    }

    /// <summary>Noise-prediction loss of <paramref name="denoiser"/> on <paramref name="data"/>, paired over 8 fixed draws of (t, noise) so two models face identical noise.</summary>
    private static double ShardLoss(UNetDenoiser denoiser, TrainingData data)
    {
        using var noGrad = no_grad();
        using var generator = new Generator(7);
        var converter = new PredictionConverter(denoiser.Schedule);
        using var tokens = data.Captions!.to(ScalarType.Float32);
        var total = 0.0;
        for (var draw = 0; draw < 8; draw++)
        {
            using var scope = NewDisposeScope();
            var t = randint(denoiser.Schedule.Steps, [data.Count], generator: generator, dtype: ScalarType.Int64);
            var eps = randn(data.Images.shape, generator: generator);
            var output = denoiser.Network.Forward(converter.AddNoise(data.Images, t, eps), t, null, tokens);
            total += nn.functional.mse_loss(output, converter.Target(denoiser.Network.Config.Prediction, data.Images, t, eps)).item<float>();
        }

        return total / 8;
    }

    private static double MaxDifference(UNet a, UNet b) =>
        a.parameters().Zip(b.parameters()).Max(p =>
        {
            using var difference = (p.First - p.Second).abs().max();
            return difference.item<float>();
        });
}
