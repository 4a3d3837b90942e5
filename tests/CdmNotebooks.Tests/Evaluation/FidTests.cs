using CdmNotebooks.Evaluation;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.Evaluation;

public sealed class FidTests
{
    private static Tensor Gaussian(int n, double[] mean, double[] scales, ulong seed)
    {
        var generator = new Generator(seed);
        return randn([n, mean.Length], dtype: ScalarType.Float64, generator: generator) * tensor(scales) + tensor(mean);
    }

    [Fact]
    public void SampleFidApproachesClosedFormOfTheSampledGaussians()
    {
        using var scope = NewDisposeScope();
        var a = Gaussian(40000, [0, 0, 0, 0], [1, 2, 0.5, 1], 1);
        var b = Gaussian(40000, [1, 0, 0, -1], [1, 1, 0.5, 3], 2);
        // |dmu|^2 = 2; sum (sigma_a - sigma_b)^2 = 0 + 1 + 0 + 4.
        Assert.Equal(7.0, Fid.Compute(a, b), 1);
    }

    [Fact]
    public void FidIsInvariantToTranslatingBothSets()
    {
        using var scope = NewDisposeScope();
        var a = Gaussian(500, new double[8], Enumerable.Repeat(1.0, 8).ToArray(), 3);
        var b = Gaussian(500, Enumerable.Repeat(0.3, 8).ToArray(), Enumerable.Repeat(1.5, 8).ToArray(), 4);
        var shift = Gaussian(1, new double[8], Enumerable.Repeat(10.0, 8).ToArray(), 5);
        Assert.Equal(Fid.Compute(a, b), Fid.Compute(a + shift, b + shift), 8);
    }

    [Fact]
    public void FidIsInvariantToPermutingSamplesAndSymmetric()
    {
        using var scope = NewDisposeScope();
        var a = Gaussian(400, new double[6], Enumerable.Repeat(1.0, 6).ToArray(), 6);
        var b = Gaussian(300, Enumerable.Repeat(0.5, 6).ToArray(), Enumerable.Repeat(0.7, 6).ToArray(), 7);
        var permuted = a.index_select(0, randperm(400, generator: new Generator(8)));
        var fid = Fid.Compute(a, b);
        Assert.Equal(fid, Fid.Compute(permuted, b), 10);
        Assert.Equal(fid, Fid.Compute(b, a), 10);
    }

    [Fact]
    public void FidIsInvariantToRotatingBothSets()
    {
        using var scope = NewDisposeScope();
        var a = Gaussian(500, new double[5], [1, 2, 3, 0.5, 1], 9);
        var b = Gaussian(500, [1, 0, 0, 0, 0], [2, 1, 1, 1, 0.1], 10);
        var (q, _) = linalg.qr(randn([5, 5], dtype: ScalarType.Float64, generator: new Generator(11)));
        Assert.Equal(Fid.Compute(a, b), Fid.Compute(a.matmul(q), b.matmul(q)), 8);
    }

    [Fact]
    public void FidOfASetWithItselfIsZero()
    {
        using var scope = NewDisposeScope();
        var a = Gaussian(300, new double[16], Enumerable.Repeat(1.0, 16).ToArray(), 12);
        Assert.Equal(0.0, Fid.Compute(a, a), 9);
    }

    [Fact]
    public void FewerSamplesThanDimensionsStillGiveAFiniteDistance()
    {
        // N <= D makes both covariances singular; the symmetric square root must not produce NaN or a negative value.
        using var scope = NewDisposeScope();
        var a = Gaussian(10, new double[64], Enumerable.Repeat(1.0, 64).ToArray(), 13);
        var b = Gaussian(12, new double[64], Enumerable.Repeat(1.0, 64).ToArray(), 14);
        var fid = Fid.Compute(a, b);
        Assert.True(double.IsFinite(fid) && fid > 0, $"got {fid}");
    }

    [Fact]
    public void BootstrapIntervalIsReproducibleAndNarrowsWithMoreSamples()
    {
        using var scope = NewDisposeScope();
        var smallA = Gaussian(500, [0, 0], [1, 1], 15);
        var smallB = Gaussian(500, [1, 0], [1, 2], 16);
        var largeA = Gaussian(8000, [0, 0], [1, 1], 17);
        var largeB = Gaussian(8000, [1, 0], [1, 2], 18);
        var small = Fid.ComputeWithBootstrap(smallA, smallB, resamples: 60, seed: 1);
        var again = Fid.ComputeWithBootstrap(smallA, smallB, resamples: 60, seed: 1);
        var large = Fid.ComputeWithBootstrap(largeA, largeB, resamples: 60, seed: 1);
        Assert.Equal(small, again);
        Assert.True(small.ConfidenceLow < small.ConfidenceHigh);
        Assert.True(large.ConfidenceLow <= 2.0 && 2.0 <= large.ConfidenceHigh, $"closed form 2.0 outside [{large.ConfidenceLow}, {large.ConfidenceHigh}]");
        Assert.True(large.ConfidenceHigh - large.ConfidenceLow < 0.5 * (small.ConfidenceHigh - small.ConfidenceLow));
    }

    [Fact]
    public void WrongShapeIsRejectedWithTheExpectedShape()
    {
        using var scope = NewDisposeScope();
        var ex = Assert.Throws<ArgumentException>(() => Fid.Compute(zeros(4, 1, 28, 28), zeros(4, 8)));
        Assert.Contains("[N,D]", ex.Message);
    }

    [Fact]
    public void NaNIsRejectedWithItsRow()
    {
        using var scope = NewDisposeScope();
        var a = randn(10, 3);
        a[7, 1] = tensor(float.NaN);
        var ex = Assert.Throws<ArgumentException>(() => Fid.Compute(a, randn(10, 3)));
        Assert.Contains("NaN", ex.Message);
        Assert.Contains("row 7", ex.Message);
    }

    [Fact]
    public void SingleSampleIsRejectedAsTooFewForACovariance()
    {
        using var scope = NewDisposeScope();
        var ex = Assert.Throws<ArgumentException>(() => Fid.Compute(randn(1, 3), randn(10, 3)));
        Assert.Contains("at least 2", ex.Message);
    }

    [Fact]
    public void MismatchedFeatureDimensionsAreRejected()
    {
        using var scope = NewDisposeScope();
        var ex = Assert.Throws<ArgumentException>(() => Fid.Compute(randn(10, 3), randn(10, 4)));
        Assert.Contains("D=3", ex.Message);
        Assert.Contains("D=4", ex.Message);
    }
}
