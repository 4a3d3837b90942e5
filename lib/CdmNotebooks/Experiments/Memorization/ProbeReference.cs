using CdmNotebooks.Composition;
using CdmNotebooks.Data;
using CdmNotebooks.Evaluation;
using CdmNotebooks.Reporting;
using static TorchSharp.torch;

namespace CdmNotebooks.Experiments.Memorization;

/// <summary>The probe's reference: every training image of the dataset, flattened and embedded once per run.</summary>
internal sealed class ProbeReference : IDisposable
{
    private readonly LabeledImages _train;
    private readonly CdmNetFeatureExtractor _extractor;
    private readonly Tensor _pixels;
    private readonly Tensor _features;

    private ProbeReference(LabeledImages train, CdmNetFeatureExtractor extractor, Tensor pixels, Tensor features)
    {
        _train = train;
        _extractor = extractor;
        _pixels = pixels;
        _features = features;
    }

    public static ProbeReference Create(LabeledImages train, string dataset, Action<string> log)
    {
        var extractor = new FeatureNetworkCache().GetOrTrain(dataset, log: log);
        using var output = extractor.Extract(train.Images);
        return new ProbeReference(train, extractor, train.Images.reshape(train.Count, -1).DetachFromDisposeScope(), output.Features.clone().DetachFromDisposeScope());
    }

    public MemorizationReport Probe(Tensor generated, MemorizationSettings settings)
    {
        using var scope = NewDisposeScope();
        using var features = _extractor.Extract(generated);
        return new MemorizationReport(
            MemorizationProbe.InSpace(generated.reshape(generated.shape[0], -1), _pixels, _train.Ids, "pixel", settings.Neighbours, settings.Threshold),
            MemorizationProbe.InSpace(features.Features, _features, _train.Ids, _extractor.Name, settings.Neighbours, settings.Threshold));
    }

    public void Dispose()
    {
        _pixels.Dispose();
        _features.Dispose();
        _extractor.Dispose();
    }
}
