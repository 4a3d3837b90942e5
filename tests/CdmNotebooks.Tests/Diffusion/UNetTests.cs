using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.Diffusion;

public sealed class UNetTests
{
    [Fact]
    public void OutputHasInputShapeAndDependsOnClassAndEmbedding()
    {
        manual_seed(3);
        var config = new UNetConfig { BaseChannels = 8, ChannelMultipliers = [1, 2, 2], NormGroups = 4, AttentionResolutions = [7], ClassCount = 10, EmbeddingDim = 5 };
        using var net = new UNet(config);
        // Zero-initialized block outputs hide conditioning at initialization; perturb every weight to make it visible.
        using (no_grad())
        {
            foreach (var p in net.parameters())
            {
                p.add_(randn_like(p) * 0.05);
            }
        }

        using var scope = NewDisposeScope();
        var x = randn(2, 1, 28, 28);
        var t = tensor(new long[] { 5, 500 });
        var embedding = randn(2, 5);
        var a = net.Forward(x, t, tensor(new long[] { 0, 0 }), embedding);
        var b = net.Forward(x, t, tensor(new long[] { 1, 1 }), embedding);
        var nullClass = net.Forward(x, t, tensor(new long[] { -1, -1 }), embedding);
        var noLabels = net.Forward(x, t, null, embedding);
        var otherEmbedding = net.Forward(x, t, tensor(new long[] { 0, 0 }), zeros(2, 5));
        Assert.Equal(x.shape, a.shape);
        Assert.False(a.allclose(b));
        Assert.False(a.allclose(otherEmbedding));
        Assert.True(nullClass.allclose(noLabels));
        Assert.True(net.ForwardFlopsPerSample > 0);
    }

    [Fact]
    public void WrongInputShapeAndBadConfigAreRejected()
    {
        using var net = new UNet(new UNetConfig { BaseChannels = 8, NormGroups = 4 });
        using var x = zeros(1, 1, 32, 32);
        using var t = zeros(1, ScalarType.Int64);
        Assert.Contains("[B,1,28,28]", Assert.Throws<ArgumentException>(() => net.Forward(x, t, null, null)).Message);
        Assert.Throws<ArgumentException>(() => new UNet(new UNetConfig { BaseChannels = 10, NormGroups = 4 }));
    }
}
