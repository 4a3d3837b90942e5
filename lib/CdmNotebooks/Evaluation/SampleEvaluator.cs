using System.Diagnostics;
using CdmNotebooks.Data;
using static TorchSharp.torch;

namespace CdmNotebooks.Evaluation;

/// <summary>Computes FID, KID and conditional accuracy of generated images against a real dataset part, through pluggable extractor and scorer.</summary>
public sealed class SampleEvaluator
{
    private readonly IFeatureExtractor _extractor;
    private readonly IAlignmentScorer? _scorer;

    /// <summary>Uses <paramref name="extractor"/> for features and, unless another is given, its own classifier for conditional accuracy.</summary>
    public SampleEvaluator(IFeatureExtractor extractor, IAlignmentScorer? scorer = null)
    {
        _extractor = extractor ?? throw new ArgumentNullException(nameof(extractor));
        // Null means "the extractor's own classifier": its logits come out of the same pass as the features, so the
        // samples are not run through the network a second time.
        _scorer = scorer;
    }

    /// <summary>Evaluates <paramref name="samples"/> [N,1,28,28] in [-1,1] against <paramref name="reference"/>; classes (one per sample) enable conditional accuracy.</summary>
    public EvaluationReport Evaluate(
        Tensor samples, string samplesName, LabeledImages reference, IReadOnlyList<long>? requestedClasses = null, EvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        FeatureChecks.RequireImages(samples, nameof(samples));
        options ??= new EvaluationOptions();
        var watch = Stopwatch.StartNew();
        using var sampleOutput = _extractor.Extract(samples);
        using var referenceOutput = _extractor.Extract(reference.Images);
        var fid = Fid.ComputeWithBootstrap(sampleOutput.Features, referenceOutput.Features, options.BootstrapResamples, options.Seed, options.ConfidenceLevel);
        // Subsets as large as the smaller set would all be that whole set (zero spread, a meaningless standard error), so
        // they are capped at half of it.
        var smaller = (int)Math.Min(samples.shape[0], reference.Count);
        var kidSubsetSize = Math.Max(2, Math.Min(options.KidSubsetSize, smaller / 2));
        var kid = Kid.Compute(sampleOutput.Features, referenceOutput.Features, options.KidSubsets, kidSubsetSize, options.Seed);
        var accuracy = requestedClasses is null
            ? null
            : _scorer?.Score(samples, requestedClasses) ?? ConditionalAccuracy.FromLogits(sampleOutput.Logits, requestedClasses);
        return new EvaluationReport(
            _extractor.Name, samplesName, $"{reference.Dataset}/{reference.Part}", (int)samples.shape[0], reference.Count,
            fid, kid, accuracy, watch.Elapsed.TotalSeconds);
    }

    /// <summary>The real-vs-real floor: a seeded random subset of <paramref name="train"/>, as large as <paramref name="test"/>, evaluated against <paramref name="test"/> with its true labels as requested classes.</summary>
    public EvaluationReport RealFloor(LabeledImages train, LabeledImages test, EvaluationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        options ??= new EvaluationOptions();
        var count = Math.Min(train.Count, test.Count);
        var indices = Enumerable.Range(0, train.Count).ToArray();
        new Random(options.Seed).Shuffle(indices);
        using var subset = train.Subset(indices.Take(count).ToArray());
        var labels = _extractor.ClassCount == 20 ? CdmNetLabels.For(subset, "union") : subset.Labels.ToArray();
        return Evaluate(subset.Images, $"{train.Dataset}/{train.Part} subset of {count}", test, labels, options);
    }
}
