using CdmNotebooks.Evaluation;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.Evaluation;

public sealed class KidTests
{
    [Fact]
    public void SubsetEstimateEqualsTheBruteForceUStatistic()
    {
        using var scope = NewDisposeScope();
        var x = randn([7, 3], dtype: ScalarType.Float64, generator: new Generator(1));
        var y = randn([7, 3], dtype: ScalarType.Float64, generator: new Generator(2)) + 0.5;
        double K(Tensor a, int i, Tensor b, int j) => Math.Pow(a[i].dot(b[j]).item<double>() / 3 + 1, 3);
        double xx = 0, yy = 0, xy = 0;
        for (var i = 0; i < 7; i++)
        {
            for (var j = 0; j < 7; j++)
            {
                if (i != j)
                {
                    xx += K(x, i, x, j);
                    yy += K(y, i, y, j);
                }

                xy += K(x, i, y, j);
            }
        }

        var expected = xx / 42 + yy / 42 - 2 * xy / 49;
        // One subset of the full size is a permutation of all rows; the U-statistic does not depend on row order.
        var kid = Kid.Compute(x, y, subsets: 1, subsetSize: 7);
        Assert.Equal(expected, kid.Value, 10);
    }

    [Fact]
    public void OneDimensionalShiftMatchesClosedFormMmd()
    {
        // In 1-D, (xy + 1)^3 = x^3 y^3 + 3 x^2 y^2 + 3 x y + 1, so MMD^2 = (dm3)^2 + 3 (dm2)^2 + 3 (dm1)^2 with the raw
        // moments m_j. For N(0,1) vs N(mu,1): dm1 = mu, dm2 = mu^2, dm3 = mu^3 + 3 mu; mu = 0.5 gives 3.578125.
        using var scope = NewDisposeScope();
        var x = randn([20000, 1], dtype: ScalarType.Float64, generator: new Generator(3));
        var y = randn([20000, 1], dtype: ScalarType.Float64, generator: new Generator(4)) + 0.5;
        var kid = Kid.Compute(x, y, subsets: 50, subsetSize: 2000, seed: 5);
        Assert.True(Math.Abs(kid.Value - 3.578125) < 0.25, $"KID {kid.Value} vs closed form 3.578125");
        Assert.True(kid.StandardError > 0 && kid.StandardError < kid.StandardDeviation);
    }

    [Fact]
    public void SameDistributionGivesKidNearZeroWithinItsSpread()
    {
        using var scope = NewDisposeScope();
        var x = randn([3000, 16], dtype: ScalarType.Float64, generator: new Generator(6));
        var y = randn([3000, 16], dtype: ScalarType.Float64, generator: new Generator(7));
        var same = Kid.Compute(x, y, subsets: 40, subsetSize: 500, seed: 8);
        var shifted = Kid.Compute(x, y + 0.5, subsets: 40, subsetSize: 500, seed: 8);
        Assert.True(Math.Abs(same.Value) < 3 * same.StandardDeviation, $"KID {same.Value}, std {same.StandardDeviation}");
        Assert.True(shifted.Value > 10 * Math.Abs(same.Value) + 3 * shifted.StandardError);
    }

    [Fact]
    public void SubsetSizeIsCappedBySmallerSet()
    {
        using var scope = NewDisposeScope();
        var kid = Kid.Compute(randn(30, 4), randn(50, 4), subsets: 3, subsetSize: 1000);
        Assert.Equal(30, kid.SubsetSize);
    }

    [Fact]
    public void BadInputsAreRejected()
    {
        using var scope = NewDisposeScope();
        Assert.Contains("D=4", Assert.Throws<ArgumentException>(() => Kid.Compute(randn(10, 4), randn(10, 5))).Message);
        Assert.Contains("at least 2", Assert.Throws<ArgumentException>(() => Kid.Compute(randn(1, 4), randn(10, 4))).Message);
        var nan = randn(10, 4);
        nan[3, 3] = tensor(float.PositiveInfinity);
        Assert.Contains("NaN or infinite", Assert.Throws<ArgumentException>(() => Kid.Compute(nan, randn(10, 4))).Message);
    }
}
