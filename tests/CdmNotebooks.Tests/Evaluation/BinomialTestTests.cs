using CdmNotebooks.Evaluation;

namespace CdmNotebooks.Tests.Evaluation;

public sealed class BinomialTestTests
{
    [Fact]
    public void AboveChanceIsTheExcessOverTheBinomialStandardError()
    {
        // 50 of 100 at chance 1/10: (0.5 - 0.1) / sqrt(0.1 * 0.9 / 100) = 0.4 / 0.03.
        Assert.Equal(13.333, BinomialTest.AboveChance(0.5, 100, 0.1), 3);
        Assert.Equal(0, BinomialTest.AboveChance(0.1, 100, 0.1), 9);
        Assert.True(BinomialTest.AboveChance(0.05, 100, 0.1) < 0);
    }

    [Fact]
    public void PooledSumsCountsAndVariancesAcrossChanceLevels()
    {
        // 30 of 50 at 1/2 and 20 of 50 at 1/4: correct 50 against 37.5 expected, variance 12.5 + 9.375.
        var z = BinomialTest.Pooled([(0.6, 50, 0.5), (0.4, 50, 0.25)]);
        Assert.Equal(12.5 / Math.Sqrt(21.875), z, 9);
        Assert.Equal(BinomialTest.AboveChance(0.6, 50, 0.5), BinomialTest.Pooled([(0.6, 50, 0.5)]), 12);
        Assert.True(double.IsNaN(BinomialTest.Pooled([])));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(-0.5)]
    public void PooledRefusesAChanceLevelOutsideTheOpenUnitInterval(double chance)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => BinomialTest.Pooled([(0.5, 10, chance)]));
        Assert.Contains("strictly between 0 and 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoProportionUsesThePooledStandardError()
    {
        // 60 % vs 50 % of 100 each: pooled 0.55, se sqrt(0.55 * 0.45 * 0.02).
        Assert.Equal(0.1 / Math.Sqrt(0.55 * 0.45 * 0.02), BinomialTest.TwoProportion(0.6, 100, 0.5, 100), 9);
        Assert.Equal(-BinomialTest.TwoProportion(0.6, 100, 0.5, 100), BinomialTest.TwoProportion(0.5, 100, 0.6, 100), 12);
        Assert.True(double.IsNaN(BinomialTest.TwoProportion(1, 100, 1, 100)));
    }

    [Fact]
    public void DropIsPositiveWhenAccuracyFellAndInfiniteWithoutError()
    {
        Assert.Equal(0.1 / Math.Sqrt(0.0018), BinomialTest.Drop(0.9, 0.03, 0.8, 0.03), 9);
        Assert.True(BinomialTest.Drop(0.8, 0.03, 0.9, 0.03) < 0);
        Assert.True(double.IsPositiveInfinity(BinomialTest.Drop(1, 0, 0, 0)));
    }
}
