using CdmNotebooks.Evaluation;
using MathNet.Numerics.LinearAlgebra;

namespace CdmNotebooks.Tests.Evaluation;

public sealed class FrechetDistanceTests
{
    private static readonly MatrixBuilder<double> M = Matrix<double>.Build;
    private static readonly VectorBuilder<double> V = Vector<double>.Build;

    private static GaussianStatistics Gaussian(double[] mean, Matrix<double> covariance) =>
        new(V.DenseOfArray(mean), covariance, 0);

    private static Matrix<double> RandomRotation(int d, int seed)
    {
        var random = new Random(seed);
        var a = M.Dense(d, d, (_, _) => random.NextDouble() * 2 - 1);
        return a.QR().Q;
    }

    [Fact]
    public void DiagonalCovariancesMatchClosedForm()
    {
        var first = Gaussian([0, 0, 0], M.DenseOfDiagonalArray([1, 4, 9]));
        var second = Gaussian([1, 2, -1], M.DenseOfDiagonalArray([4, 1, 0.25]));
        // |dmu|^2 = 6; sum (sqrt a - sqrt b)^2 = 1 + 1 + 6.25.
        Assert.Equal(14.25, FrechetDistance.Between(first, second), 12);
    }

    [Fact]
    public void CommutingRotatedCovariancesMatchClosedForm()
    {
        const int d = 16;
        var u = RandomRotation(d, 1);
        var random = new Random(2);
        var a = Enumerable.Range(0, d).Select(_ => random.NextDouble() * 5).ToArray();
        var b = Enumerable.Range(0, d).Select(_ => random.NextDouble() * 5).ToArray();
        var first = Gaussian(new double[d], u * M.DenseOfDiagonalArray(a) * u.Transpose());
        var second = Gaussian(new double[d], u * M.DenseOfDiagonalArray(b) * u.Transpose());
        var expected = a.Zip(b).Sum(p => Math.Pow(Math.Sqrt(p.First) - Math.Sqrt(p.Second), 2));
        Assert.Equal(expected, FrechetDistance.Between(first, second), 9);
    }

    [Fact]
    public void NonCommutingTwoByTwoMatchesClosedForm()
    {
        // For 2x2 S1 S2 with eigenvalues l1, l2 >= 0: (sqrt l1 + sqrt l2)^2 = tr(S1 S2) + 2 sqrt(det S1 det S2).
        var s1 = M.DenseOfArray(new double[,] { { 2, 1 }, { 1, 2 } });
        var s2 = M.DenseOfArray(new double[,] { { 1, 0 }, { 0, 3 } });
        var expected = 4 + 4 - 2 * Math.Sqrt(8 + 2 * Math.Sqrt(3 * 3));
        Assert.Equal(expected, FrechetDistance.Between(Gaussian([0, 0], s1), Gaussian([0, 0], s2)), 12);
    }

    [Fact]
    public void NearSingularNonCommutingTwoByTwoMatchesClosedForm()
    {
        const double eps = 1e-12;
        var s1 = M.DenseOfArray(new double[,] { { 1, 1 }, { 1, 1 + eps } });
        var s2 = M.DenseOfArray(new double[,] { { 1, 0 }, { 0, eps } });
        var trace = s1.Multiply(s2).Trace();
        var expected = s1.Trace() + s2.Trace() - 2 * Math.Sqrt(trace + 2 * Math.Sqrt(s1.Determinant() * s2.Determinant()));
        Assert.Equal(expected, FrechetDistance.Between(Gaussian([0, 0], s1), Gaussian([0, 0], s2)), 9);
    }

    [Fact]
    public void RankOneSingularCovariancesMatchClosedForm()
    {
        // S1 = v v^T, S2 = w w^T: S1 S2 = (v.w) v w^T has the single eigenvalue (v.w)^2, so Tr sqrt = |v.w|.
        var v = V.DenseOfArray([1, 2, 0, -1, 0.5, 0, 0, 3]);
        var w = V.DenseOfArray([0.5, -1, 3, 0, 2, 1, 0, -0.25]);
        var expected = v.DotProduct(v) + w.DotProduct(w) - 2 * Math.Abs(v.DotProduct(w));
        var actual = FrechetDistance.Between(
            Gaussian(new double[8], v.OuterProduct(v)),
            Gaussian(new double[8], w.OuterProduct(w)));
        // Exactly-zero eigenvalues come out of the eigensolver at ~1e-16 relative size; their square roots (~1e-8) bound
        // the attainable accuracy of any Tr sqrt at a singular point, hence 1e-7 rather than 1e-12.
        Assert.True(Math.Abs(expected - actual) < 1e-7, $"expected {expected}, got {actual}");
    }

    [Fact]
    public void NearSingularHighDimensionalCovariancesMatchClosedForm()
    {
        const int d = 32;
        var u = RandomRotation(d, 3);
        var a = Enumerable.Range(0, d).Select(i => i < 4 ? 1.0 + i : i < 16 ? 1e-10 : 0.0).ToArray();
        var b = Enumerable.Range(0, d).Select(i => i < 2 ? 2.0 : i < 20 ? 1e-14 : 0.0).ToArray();
        var first = Gaussian(new double[d], u * M.DenseOfDiagonalArray(a) * u.Transpose());
        var second = Gaussian(new double[d], u * M.DenseOfDiagonalArray(b) * u.Transpose());
        var expected = a.Zip(b).Sum(p => Math.Pow(Math.Sqrt(p.First) - Math.Sqrt(p.Second), 2));
        var actual = FrechetDistance.Between(first, second);
        Assert.False(double.IsNaN(actual));
        Assert.True(Math.Abs(expected - actual) < 1e-6, $"expected {expected}, got {actual}");
    }

    [Fact]
    public void IdenticalGaussiansHaveZeroDistanceEvenWhenSingular()
    {
        var v = V.DenseOfArray([1, 2, 3]);
        var g = Gaussian([1, 1, 1], v.OuterProduct(v));
        Assert.Equal(0.0, FrechetDistance.Between(g, g), 9);
    }

    [Fact]
    public void MismatchedDimensionsAreRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => FrechetDistance.Between(
            Gaussian([0, 0], M.DenseIdentity(2)), Gaussian([0, 0, 0], M.DenseIdentity(3))));
        Assert.Contains("dimensions differ", ex.Message);
    }

    [Fact]
    public void NonFiniteCovarianceIsRejected()
    {
        var cov = M.DenseIdentity(2);
        cov[0, 1] = double.NaN;
        Assert.Throws<ArgumentException>(() => Gaussian([0, 0], cov));
    }
}
