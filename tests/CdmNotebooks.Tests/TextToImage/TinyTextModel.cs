using CdmNotebooks.Diffusion;
using CdmNotebooks.TextToImage;

namespace CdmNotebooks.Tests.TextToImage;

/// <summary>The smallest text-conditioned model the tests train or save: one encoder layer, an 8-channel UNet, 100 diffusion steps.</summary>
internal static class TinyTextModel
{
    public static TextDiffusionConfig Config { get; } = new()
    {
        Encoder = new TextEncoderConfig { Width = 16, Heads = 2, Layers = 1, FeedForward = 32, OutputDim = 16, MaxContextTokens = 4 },
        Model = new UNetConfig { BaseChannels = 8, ChannelMultipliers = [1, 2], AttentionResolutions = [], NormGroups = 4, ClassCount = 0, EmbeddingDim = 16 },
        ScheduleSteps = 100,
    };
}
