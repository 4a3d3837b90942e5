using CdmNotebooks.Runtime;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CdmNotebooks.Tests.Diffusion;

public sealed class ConvolutionGradientTests
{
    [Fact]
    public void ConvolutionBackwardGivesFiniteGradientsAfterWorkarounds()
    {
        TorchRuntime.ApplyWorkarounds();
        manual_seed(9);
        using var conv = Conv2d(8, 8, 3, padding: 1);
        for (var r = 0; r < 24; r++)
        {
            using var scope = NewDisposeScope();
            var x = randn(16, 8, 28, 28).requires_grad_(true);
            conv.forward(x).square().mean().backward();
            Assert.True(x.grad!.isfinite().all().item<bool>(), $"non-finite conv input gradient at repetition {r}");
            conv.zero_grad();
        }
    }
}
