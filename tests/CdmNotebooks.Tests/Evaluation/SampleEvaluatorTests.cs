using CdmNotebooks.Evaluation;

namespace CdmNotebooks.Tests.Evaluation;

[Collection(GlobalTorchRandomCollection.Name)]
public sealed class SampleEvaluatorTests
{
    // Width 8: with 4, the first convolution has fewer output channels than oneDNN's SIMD block and its gradients were wrong (NaN at times).
    [Fact]
    public void RealFloorReportsHonestLabelsAndSmallerFidThanAMismatchedSet()
    {
        using var train = SyntheticImages.Create("fashion-mnist", "train", 600, 10, 11);
        using var test = SyntheticImages.Create("fashion-mnist", "test", 300, 10, 12);
        var config = new CdmNetConfig("fashion-mnist", 10, Width: 8, FeatureDimension: 16, Epochs: 3, BatchSize: 32, Seed: 1);
        var (network, _, _) = CdmNetTrainer.TrainOn(config, train.Images, train.Labels.ToArray(), null);
        using var extractor = new CdmNetFeatureExtractor(network);
        var evaluator = new SampleEvaluator(extractor);
        var options = new EvaluationOptions(BootstrapResamples: 20, KidSubsets: 10, KidSubsetSize: 200);

        var floor = evaluator.RealFloor(train, test, options);
        Assert.Equal("FID (CdmNet features (fashion-mnist))", floor.FidLabel);
        Assert.Equal(300, floor.SampleCount);
        Assert.NotNull(floor.ConditionalAccuracy);
        Assert.True(floor.Fid.ConfidenceLow <= floor.Fid.ConfidenceHigh);

        // Samples that all show class 0 are far from the class-balanced reference and mostly disagree with random requests.
        using var onlyZero = train.Subset(Enumerable.Range(0, train.Count).Where(i => train.Labels[i] == 0).ToArray());
        var requested = Enumerable.Range(0, onlyZero.Count).Select(i => (long)(i % 10)).ToArray();
        var collapsed = evaluator.Evaluate(onlyZero.Images, "collapsed", test, requested, options);
        Assert.True(collapsed.Fid.Value > floor.Fid.Value, $"collapsed {collapsed.Fid.Value} vs floor {floor.Fid.Value}");
        Assert.True(collapsed.ConditionalAccuracy!.Accuracy < floor.ConditionalAccuracy!.Accuracy);
    }
}
