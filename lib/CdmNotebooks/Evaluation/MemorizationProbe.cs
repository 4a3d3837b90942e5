using CdmNotebooks.Data;
using static TorchSharp.torch;

namespace CdmNotebooks.Evaluation;

/// <summary>Near-copy detector in the style of Carlini et al. 2023 ("Extracting training data from diffusion models", Sec. 5).</summary>
/// <remarks>
/// For a generated sample g with training neighbours sorted by Euclidean distance d_1 &lt;= d_2 &lt;= ..., the score is
/// r = d_1 / mean(d_1..d_k) with k = 50. Carlini et al. flag an extraction when d_1 / (alpha * mean) &lt; delta with
/// alpha = 0.5 and delta = 1/3, i.e. r &lt; 1/6: the nearest training image is more than 6x closer than the sample's
/// typical close neighbours. <see cref="DefaultThreshold"/> is that 1/6. The same rule is applied in pixel space and in
/// the feature extractor's space; pixel space catches literal copies, feature space catches copies with small shifts
/// or intensity changes.
/// </remarks>
public static class MemorizationProbe
{
    /// <summary>Number of nearest training images averaged in the denominator (Carlini et al. use 50).</summary>
    public const int DefaultNeighbours = 50;

    /// <summary>Ratio threshold 1/6, equivalent to Carlini et al.'s l &lt; 1/3 with alpha = 0.5.</summary>
    public const double DefaultThreshold = 1.0 / 6.0;

    /// <summary>Runs the probe against a training set with its stable IDs (the shard a model was trained on, typically).</summary>
    public static MemorizationReport Run(
        Tensor generatedImages,
        LabeledImages training,
        IFeatureExtractor extractor,
        int neighbours = DefaultNeighbours,
        double threshold = DefaultThreshold)
    {
        ArgumentNullException.ThrowIfNull(training);
        return Run(generatedImages, training.Images, training.Ids, extractor, neighbours, threshold);
    }

    /// <summary>Runs the probe in pixel space and in <paramref name="extractor"/>'s feature space.</summary>
    public static MemorizationReport Run(
        Tensor generatedImages,
        Tensor trainingImages,
        IReadOnlyList<string> trainingIds,
        IFeatureExtractor extractor,
        int neighbours = DefaultNeighbours,
        double threshold = DefaultThreshold)
    {
        ArgumentNullException.ThrowIfNull(extractor);
        FeatureChecks.RequireImages(generatedImages, nameof(generatedImages));
        FeatureChecks.RequireImages(trainingImages, nameof(trainingImages));
        using var scope = NewDisposeScope();
        var pixel = InSpace(
            generatedImages.reshape(generatedImages.shape[0], -1),
            trainingImages.reshape(trainingImages.shape[0], -1),
            trainingIds,
            "pixel",
            neighbours,
            threshold);
        using var generatedFeatures = extractor.Extract(generatedImages);
        using var trainingFeatures = extractor.Extract(trainingImages);
        var feature = InSpace(generatedFeatures.Features, trainingFeatures.Features, trainingIds, extractor.Name, neighbours, threshold);
        return new MemorizationReport(pixel, feature);
    }

    /// <summary>Runs the probe on precomputed vectors: <paramref name="generated"/> [N,D] against <paramref name="training"/> [M,D].</summary>
    public static MemorizationSpaceReport InSpace(
        Tensor generated,
        Tensor training,
        IReadOnlyList<string> trainingIds,
        string space,
        int neighbours = DefaultNeighbours,
        double threshold = DefaultThreshold,
        int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(trainingIds);
        if (neighbours < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(neighbours), neighbours, "neighbours must be >= 2 (the ratio compares the nearest with the mean of k).");
        }

        if (threshold is <= 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "threshold must lie in (0, 1]; the ratio itself lies in (0, 1].");
        }

        FeatureChecks.RequireMatrix(generated, nameof(generated), 1, "there must be at least one generated sample to probe.");
        FeatureChecks.RequireMatrix(training, nameof(training), neighbours,
            $"the probe averages the distances to the {neighbours} nearest training images; pass a larger training set or lower 'neighbours'.");
        FeatureChecks.RequireSameDimension(generated, nameof(generated), training, nameof(training));
        if (trainingIds.Count != training.shape[0])
        {
            throw new ArgumentException(
                $"Got {trainingIds.Count} training IDs for {training.shape[0]} training rows; pass one ID per row, in row order.",
                nameof(trainingIds));
        }

        var matches = new List<MemorizationMatch>((int)generated.shape[0]);
        using (NewDisposeScope())
        {
            var train32 = training.detach().to(CPU).to(ScalarType.Float32);
            var train64 = training.detach().to(CPU).to(ScalarType.Float64);
            var trainNorms = train32.square().sum(1);
            var n = generated.shape[0];
            for (long start = 0; start < n; start += batchSize)
            {
                using var step = NewDisposeScope();
                var g32 = generated.detach().to(CPU).to(ScalarType.Float32).narrow(0, start, Math.Min(batchSize, n - start));
                // Candidate search in float32 through |g|^2 + |t|^2 - 2 g.t (one BLAS product per batch). That expansion
                // loses precision exactly for near-copies (small d next to large norms), so the k candidates are then
                // re-measured directly in float64 and re-sorted.
                var squared = g32.square().sum(1, keepdim: true) + trainNorms.unsqueeze(0) - 2 * g32.matmul(train32.t());
                var candidates = squared.topk(neighbours, dim: 1, largest: false).indexes;
                var g64 = g32.to(ScalarType.Float64);
                var neighboursRows = train64.index_select(0, candidates.reshape(-1)).reshape(candidates.shape[0], neighbours, -1);
                var exact = (neighboursRows - g64.unsqueeze(1)).square().sum(2).sqrt();
                var (sorted, order) = exact.sort(1);
                var nearestIndex = candidates.gather(1, order.narrow(1, 0, 1)).squeeze(1).data<long>().ToArray();
                var nearest = sorted.select(1, 0).data<double>().ToArray();
                var means = sorted.mean([1]).data<double>().ToArray();
                for (var i = 0; i < nearest.Length; i++)
                {
                    // A generated image identical to all k neighbours has mean 0; it is a copy, so its ratio is 0.
                    var ratio = means[i] > 0 ? nearest[i] / means[i] : 0.0;
                    var index = (int)nearestIndex[i];
                    matches.Add(new MemorizationMatch(
                        (int)start + i, index, trainingIds[index], nearest[i], means[i], ratio, ratio < threshold));
                }
            }
        }

        var flagged = matches.Count(m => m.IsNearCopy);
        return new MemorizationSpaceReport(space, threshold, neighbours, matches, (double)flagged / matches.Count);
    }
}
