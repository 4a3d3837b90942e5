using CdmNotebooks.Evaluation;
using static TorchSharp.torch;

namespace CdmNotebooks.Experiments.Attribution;

/// <summary>Decides which source domain (mnist10k digits or fashion-mnist) an image looks like, with the union CdmNet classifier (20 classes: domain * 10 + class).</summary>
public sealed class DomainJudge : IDisposable
{
    private readonly CdmNetFeatureExtractor _union;

    /// <summary>Judges with <paramref name="union"/>, a CdmNet trained on the union (takes ownership).</summary>
    public DomainJudge(CdmNetFeatureExtractor union)
    {
        _union = union ?? throw new ArgumentNullException(nameof(union));
        if (union.ClassCount != 10 * CdmNetLabels.UnionDomains.Count)
        {
            throw new ArgumentException(
                $"The domain judge needs the union CdmNet ({10 * CdmNetLabels.UnionDomains.Count} classes); got one with {union.ClassCount} ({union.Name}).", nameof(union));
        }
    }

    /// <summary>The cached union CdmNet (trained and cached first if absent, `cdm features train --dataset union`).</summary>
    public static DomainJudge Load(Action<string>? log = null) => new(new FeatureNetworkCache().GetOrTrain("union", log: log));

    /// <summary>The domains in judge order: <see cref="CdmNetLabels.UnionDomains"/>.</summary>
    public static IReadOnlyList<string> Domains => CdmNetLabels.UnionDomains;

    /// <summary>P(domain | image) [N, domains] from the summed class probabilities of each domain's 10 classes.</summary>
    public double[][] DomainProbabilities(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var output = _union.Extract(images);
        var probabilities = nn.functional.softmax(output.Logits.to(ScalarType.Float64), 1)
            .reshape(images.shape[0], Domains.Count, 10).sum(2).contiguous();
        var flat = probabilities.data<double>().ToArray();
        return Enumerable.Range(0, (int)images.shape[0])
            .Select(i => flat.AsSpan(i * Domains.Count, Domains.Count).ToArray())
            .ToArray();
    }

    /// <inheritdoc />
    public void Dispose() => _union.Dispose();
}
