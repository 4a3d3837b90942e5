using static TorchSharp.torch;

namespace CdmNotebooks.Tests;

public sealed class TorchLoadsTests
{
    [Fact]
    public void TensorOperationRunsInTestProcess()
    {
        using var a = ones(2, 3);
        using var b = a.matmul(ones(3, 4));
        Assert.Equal(3.0f, b[1, 2].item<float>());
    }
}
