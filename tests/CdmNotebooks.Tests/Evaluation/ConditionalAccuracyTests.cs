using CdmNotebooks.Evaluation;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.Evaluation;

public sealed class ConditionalAccuracyTests
{
    [Fact]
    public void CountsArgmaxAgreementOverallAndPerClass()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[,]
        {
            { 5, 0, 0 }, // predicts 0
            { 0, 5, 0 }, // predicts 1
            { 0, 5, 0 }, // predicts 1
            { 0, 0, 5 }, // predicts 2
        });
        var result = ConditionalAccuracy.FromLogits(logits, [0, 1, 2, 2]);
        Assert.Equal(3, result.Correct);
        Assert.Equal(0.75, result.Accuracy);
        Assert.Equal(Math.Sqrt(0.75 * 0.25 / 4), result.StandardError, 12);
        Assert.Equal(1.0, result.PerClassAccuracy[0]);
        Assert.Equal(0.5, result.PerClassAccuracy[2]);
        Assert.Equal([0L, 1, 1, 2], result.Predicted);
    }

    [Fact]
    public void MismatchedCountAndUnknownClassAreRejected()
    {
        using var scope = NewDisposeScope();
        var logits = zeros(3, 10);
        Assert.Contains("3 samples", Assert.Throws<ArgumentException>(() => ConditionalAccuracy.FromLogits(logits, [1, 2])).Message);
        Assert.Contains("0..9", Assert.Throws<ArgumentException>(() => ConditionalAccuracy.FromLogits(logits, [1, 2, 10])).Message);
    }
}
