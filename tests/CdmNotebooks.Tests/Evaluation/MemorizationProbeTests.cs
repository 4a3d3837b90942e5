using CdmNotebooks.Evaluation;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.Evaluation;

public sealed class MemorizationProbeTests
{
    [Fact]
    public void NearCopiesAreFlaggedWithTheirTrainingIdsAndNovelSamplesAreNot()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(1);
        var training = rand([500, 784], generator: generator) * 2 - 1;
        var ids = Enumerable.Range(0, 500).Select(i => $"synthetic/train/{i:D4}").ToList();
        var copies = training.index_select(0, tensor(new long[] { 17, 333 })) + 0.01 * randn([2, 784], generator: generator);
        var novel = rand([3, 784], generator: generator) * 2 - 1;
        var report = MemorizationProbe.InSpace(cat([copies, novel]), training, ids, "pixel");
        Assert.Equal("synthetic/train/0017", report.Matches[0].NearestTrainingId);
        Assert.Equal("synthetic/train/0333", report.Matches[1].NearestTrainingId);
        Assert.True(report.Matches[0].IsNearCopy && report.Matches[1].IsNearCopy);
        Assert.All(report.Matches.Skip(2), m => Assert.False(m.IsNearCopy, $"ratio {m.Ratio}"));
        Assert.Equal(0.4, report.FractionBelowThreshold, 12);
        Assert.Equal(MemorizationProbe.DefaultThreshold, report.Threshold);
    }

    [Fact]
    public void ExactCopyHasRatioZeroAndExactDistance()
    {
        using var scope = NewDisposeScope();
        var training = randn([100, 20], generator: new Generator(2));
        var ids = Enumerable.Range(0, 100).Select(i => i.ToString()).ToList();
        var report = MemorizationProbe.InSpace(training.narrow(0, 42, 1), training, ids, "features", neighbours: 10);
        var match = Assert.Single(report.Matches);
        Assert.Equal(42, match.NearestTrainingIndex);
        Assert.Equal(0.0, match.NearestDistance);
        Assert.Equal(0.0, match.Ratio);
    }

    [Fact]
    public void RatioUsesMeanOfTheKNearestIncludingTheNearest()
    {
        using var scope = NewDisposeScope();
        // One-dimensional training points at distances 1, 2, 3, 10 from the query at 0.
        var training = tensor(new float[,] { { 1 }, { -2 }, { 3 }, { 10 } });
        var report = MemorizationProbe.InSpace(zeros(1, 1), training, ["a", "b", "c", "d"], "line", neighbours: 3);
        Assert.Equal(1.0 / 2.0, report.Matches[0].Ratio, 12);
        Assert.Equal(2.0, report.Matches[0].MeanNeighbourDistance, 12);
    }

    [Fact]
    public void TooFewTrainingSamplesAndMissingIdsAreRejected()
    {
        using var scope = NewDisposeScope();
        Assert.Contains("50 nearest", Assert.Throws<ArgumentException>(
            () => MemorizationProbe.InSpace(randn(2, 4), randn(10, 4), Enumerable.Repeat("x", 10).ToList(), "f")).Message);
        Assert.Contains("one ID per row", Assert.Throws<ArgumentException>(
            () => MemorizationProbe.InSpace(randn(2, 4), randn(60, 4), Enumerable.Repeat("x", 59).ToList(), "f")).Message);
    }

    [Fact]
    public void RunProbesPixelAndFeatureSpaceOfImagesAgainstLabeledTrainingSet()
    {
        using var training = SyntheticImages.Create("fashion-mnist", "train", 120, 10, 21);
        using var extractor = new CdmNetFeatureExtractor(new CdmNet(new CdmNetConfig("fashion-mnist", 10, Width: 4, FeatureDimension: 16)));
        using var scope = NewDisposeScope();
        var generated = training.Images.narrow(0, 5, 1);
        var report = MemorizationProbe.Run(generated, training, extractor);
        Assert.Equal(training.Ids[5], report.Pixel.Matches[0].NearestTrainingId);
        Assert.True(report.Pixel.Matches[0].IsNearCopy);
        Assert.Equal("CdmNet features (fashion-mnist)", report.Feature.Space);
        Assert.Equal(0.0, report.Feature.Matches[0].NearestDistance, 6);
    }
}
