using CdmNotebooks.Diffusion;
using CdmNotebooks.TextToImage;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.TextToImage;

/// <summary>The smallest text-conditioned model the tests train or save (one encoder layer, an 8-channel UNet, 100 diffusion steps), and data for it.</summary>
internal static class TinyTextModel
{
    public static TrainingConfig Config { get; } = new()
    {
        Model = new UNetConfig
        {
            BaseChannels = 8, ChannelMultipliers = [1, 2], AttentionResolutions = [], CrossAttentionResolutions = [14], NormGroups = 4, ClassCount = 0, EmbeddingDim = 16,
            TextEncoder = new TextEncoderConfig { Width = 16, Heads = 2, Layers = 1, FeedForward = 32, OutputDim = 16, MaxContextTokens = 4 },
        },
        ScheduleSteps = 100,
        BatchSize = 4,
        TrainSteps = 2,
        WarmupSteps = 0,
        LearningRate = 1e-3,
        CheckpointEvery = 1,
    };

    public static readonly string[] Captions = ["a 7 top left", "a sneaker bottom right", "a 2 top right and a bag bottom left", "a 0 bottom left"];

    /// <summary>Random images in [-1, 1] with <see cref="Captions"/>, under the identity of shard <paramref name="shard"/>.</summary>
    public static TrainingData Data(string shard = "0", long seed = 1)
    {
        using var generator = new Generator((ulong)seed);
        var images = rand([Captions.Length, 1, 28, 28], generator: generator) * 2 - 1;
        return TrainingData.WithCaptions(images, Captions, new TrainingDataIdentity("scenes", "tiny", shard, $"tiny-{shard}-{seed}"));
    }
}
