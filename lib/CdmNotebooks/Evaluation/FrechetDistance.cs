using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace CdmNotebooks.Evaluation;

/// <summary>Squared Fréchet (2-Wasserstein) distance between two Gaussians, the quantity behind FID, computed in float64.</summary>
public static class FrechetDistance
{
    /// <summary>d^2 = |mu1 - mu2|^2 + Tr(S1) + Tr(S2) - 2 Tr((S1 S2)^(1/2)).</summary>
    public static double Between(GaussianStatistics first, GaussianStatistics second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Dimension != second.Dimension)
        {
            throw new ArgumentException(
                $"Feature dimensions differ: D={first.Dimension} vs D={second.Dimension}. Both sets must come from the same feature extractor.");
        }

        var meanTerm = (first.Mean - second.Mean).DotProduct(first.Mean - second.Mean);
        var value = meanTerm + first.Covariance.Trace() + second.Covariance.Trace()
                    - 2.0 * TraceOfSqrtProduct(first.Covariance, second.Covariance);
        // The exact value is >= 0 (it is a squared distance); a tiny negative result is float64 rounding when the
        // two Gaussians coincide, so it is reported as 0 rather than as a meaningless negative distance.
        return Math.Max(0.0, value);
    }

    /// <summary>Tr((S1 S2)^(1/2)) for symmetric positive semi-definite S1, S2, stable for singular and near-singular inputs.</summary>
    /// <remarks>
    /// The usual route, scipy.linalg.sqrtm(S1 @ S2), takes a Schur square root of a non-symmetric matrix; when S1 or S2 is
    /// (near-)singular, as covariances of N &lt;= D samples or of dead ReLU units are, it returns complex values and loses
    /// accuracy. Here only symmetric eigendecompositions are used: A = S1^(1/2) from S1 = U diag(l) U^T, then
    /// M = A S2 A, which is symmetric PSD and has the same eigenvalues as S1 S2 (XY and YX share eigenvalues with
    /// X = A, Y = A S2), so Tr((S1 S2)^(1/2)) = sum_i sqrt(eig_i(M)). Eigenvalues of a PSD matrix that come out slightly
    /// negative are rounding error and are clamped to 0 before the square root.
    /// </remarks>
    public static double TraceOfSqrtProduct(Matrix<double> first, Matrix<double> second)
    {
        var sqrtFirst = SymmetricSqrt(first);
        var m = sqrtFirst * second * sqrtFirst;
        m = (m + m.Transpose()) * 0.5;
        var eigenvalues = m.Evd(Symmetricity.Symmetric).EigenValues;
        var sum = 0.0;
        foreach (var lambda in eigenvalues)
        {
            sum += Math.Sqrt(Math.Max(0.0, lambda.Real));
        }

        return sum;
    }

    /// <summary>Principal square root of a symmetric PSD matrix via its eigendecomposition, negative eigenvalues clamped to 0.</summary>
    public static Matrix<double> SymmetricSqrt(Matrix<double> matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (matrix.RowCount != matrix.ColumnCount)
        {
            throw new ArgumentException($"Expected a square matrix; got {matrix.RowCount}x{matrix.ColumnCount}.", nameof(matrix));
        }

        var symmetric = (matrix + matrix.Transpose()) * 0.5;
        var evd = symmetric.Evd(Symmetricity.Symmetric);
        var roots = evd.EigenValues.Select(l => Math.Sqrt(Math.Max(0.0, l.Real))).ToArray();
        var u = evd.EigenVectors;
        return u * Matrix<double>.Build.DiagonalOfDiagonalArray(roots) * u.Transpose();
    }
}
