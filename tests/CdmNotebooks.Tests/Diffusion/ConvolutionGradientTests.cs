using CdmNotebooks.Runtime;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.Diffusion;

public sealed class ConvolutionGradientTests
{
    [Fact]
    public void StandardUNetGradientsMatchLibtorchsOwnKernels()
    {
        // Before the output convolution was padded, every call differed by ~49 % (AVX2 cap) or ~13 % (AVX-512) from the reference.
        var result = OneDnnCheck.RunUNet(calls: 2, batch: 8);

        Assert.Equal(0, result.NonFiniteCalls);
        Assert.True(result.WrongCalls == 0, $"{result.WrongCalls} of {result.Calls} UNet passes differ from the oneDNN-off reference (worst relative error {result.WorstRelativeError:E2})");
    }

    [Fact]
    public void PaddedNarrowConvolutionsBackPropagateLikeLibtorchsOwnKernels()
    {
        ConvShape[] shapes = [new("1 output, padded", 16, 1, 3, 1, 28, PaddedOutput: true), new("3 outputs, padded", 16, 3, 3, 1, 14, PaddedOutput: true)];

        var results = OneDnnCheck.Run(shapes, calls: 4, batch: 16);

        Assert.All(results, r => Assert.True(r.NonFiniteCalls == 0 && r.WrongCalls == 0,
            $"{r.Shape.Name}: {r.NonFiniteCalls} non-finite, {r.WrongCalls} wrong of {r.Calls} (worst relative error {r.WorstRelativeError:E2})"));
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(3, false)]
    [InlineData(16, true)]
    public void NarrowConvolutionComputesTheSameFunctionAsConv2d(int outChannels, bool withBias)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator().manual_seed(outChannels);
        var x = randn([4, 8, 14, 14], generator: generator);
        var weight = randn([outChannels, 8, 3, 3], generator: generator);
        var bias = withBias ? randn([outChannels], generator: generator) : null;

        var expected = nn.functional.conv2d(x, weight, bias, padding: [1, 1]);
        var actual = NarrowConvolution.Forward(x, weight, bias, padding: 1);

        Assert.Equal(expected.shape, actual.shape);
        Assert.True(allclose(actual, expected, rtol: 1e-4, atol: 1e-5), $"max difference {(actual - expected).abs().max().item<float>()}");
    }
}
