using static TorchSharp.torch;

namespace CdmNotebooks.Evaluation;

/// <summary>The built-in feature extractor: a trained CdmNet's embedding (features) and classifier (logits).</summary>
public sealed class CdmNetFeatureExtractor : IFeatureExtractor, IDisposable
{
    private readonly CdmNet _network;
    private readonly int _batchSize;

    /// <summary>Wraps (and takes ownership of) a trained <paramref name="network"/>; images are embedded <paramref name="batchSize"/> at a time.</summary>
    public CdmNetFeatureExtractor(CdmNet network, int batchSize = 1000)
    {
        _network = network ?? throw new ArgumentNullException(nameof(network));
        if (batchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batchSize must be >= 1.");
        }

        _batchSize = batchSize;
        _network.eval();
    }

    /// <inheritdoc />
    public string Name => $"CdmNet features ({_network.Config.Dataset})";

    /// <inheritdoc />
    public int FeatureDimension => _network.Config.FeatureDimension;

    /// <inheritdoc />
    public int ClassCount => _network.Config.Classes;

    /// <summary>The wrapped network (for accuracy checks).</summary>
    public CdmNet Network => _network;

    /// <inheritdoc />
    public FeatureOutput Extract(Tensor images)
    {
        FeatureChecks.RequireImages(images, nameof(images));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var features = new List<Tensor>();
        var logits = new List<Tensor>();
        var n = images.shape[0];
        for (long start = 0; start < n; start += _batchSize)
        {
            var (f, l) = _network.FeaturesAndLogits(images.narrow(0, start, Math.Min(_batchSize, n - start)).to(CPU).to(ScalarType.Float32));
            features.Add(f);
            logits.Add(l);
        }

        return new FeatureOutput(cat(features).MoveToOuterDisposeScope(), cat(logits).MoveToOuterDisposeScope());
    }

    /// <inheritdoc />
    public void Dispose() => _network.Dispose();
}
