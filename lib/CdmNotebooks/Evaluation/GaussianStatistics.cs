using MathNet.Numerics.LinearAlgebra;
using static TorchSharp.torch;

namespace CdmNotebooks.Evaluation;

/// <summary>Mean and covariance (float64) of a feature set: the Gaussian that the Fréchet distance compares.</summary>
public sealed class GaussianStatistics
{
    /// <summary>Creates statistics from an explicit mean and symmetric covariance (for closed-form tests and cached reference statistics).</summary>
    public GaussianStatistics(Vector<double> mean, Matrix<double> covariance, int sampleCount)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(covariance);
        if (covariance.RowCount != mean.Count || covariance.ColumnCount != mean.Count)
        {
            throw new ArgumentException(
                $"Covariance must be {mean.Count}x{mean.Count} to match the mean; got {covariance.RowCount}x{covariance.ColumnCount}.",
                nameof(covariance));
        }

        if (mean.Any(v => !double.IsFinite(v)) || covariance.Enumerate().Any(v => !double.IsFinite(v)))
        {
            throw new ArgumentException("Mean and covariance must be finite (no NaN or infinity).");
        }

        Mean = mean;
        Covariance = covariance;
        SampleCount = sampleCount;
    }

    /// <summary>Feature mean, length D.</summary>
    public Vector<double> Mean { get; }

    /// <summary>Unbiased sample covariance (divided by N - 1), D x D.</summary>
    public Matrix<double> Covariance { get; }

    /// <summary>Number of samples the statistics were estimated from (0 when given in closed form).</summary>
    public int SampleCount { get; }

    /// <summary>Feature dimension D.</summary>
    public int Dimension => Mean.Count;

    /// <summary>Estimates mean and covariance of the rows of <paramref name="features"/> [N,D] in float64.</summary>
    public static GaussianStatistics FromFeatures(Tensor features)
    {
        FeatureChecks.RequireMatrix(features, nameof(features), 2,
            "a covariance estimate needs at least 2 samples (and FID is strongly biased unless N is much larger than D).");
        using var scope = NewDisposeScope();
        var x = features.detach().to(CPU).to(ScalarType.Float64);
        var n = x.shape[0];
        var d = (int)x.shape[1];
        var mean = x.mean([0]);
        var centered = x - mean;
        // The covariance product is done by libtorch's BLAS: N x D^2 multiply-adds dominate FID time at N = 10k.
        var covariance = centered.t().matmul(centered).div(n - 1).contiguous();
        var meanValues = mean.data<double>().ToArray();
        var covValues = covariance.data<double>().ToArray();
        var cov = Matrix<double>.Build.Dense(d, d, (i, j) => covValues[i * d + j]);
        return new GaussianStatistics(Vector<double>.Build.DenseOfArray(meanValues), cov, (int)n);
    }
}
