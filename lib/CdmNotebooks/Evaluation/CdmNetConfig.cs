namespace CdmNotebooks.Evaluation;

/// <summary>Immutable configuration of one CdmNet feature network and its training run; saved in the cache manifest beside the weights.</summary>
/// <param name="Dataset">"fashion-mnist", "mnist10k" or "union" (20-way: domain * 10 + class, see <see cref="CdmNetLabels"/>).</param>
/// <param name="Classes">Output classes: 10 per dataset, 20 for the union.</param>
/// <param name="Width">Channels of the first convolution; the second and third have 2x and 4x.</param>
/// <param name="FeatureDimension">Length of the penultimate embedding used as FID/KID features.</param>
/// <param name="Epochs">Passes over the training part.</param>
/// <param name="BatchSize">Images per optimizer step.</param>
/// <param name="MaxLearningRate">Peak of the one-cycle learning-rate schedule (AdamW).</param>
/// <param name="WeightDecay">AdamW decoupled weight decay.</param>
/// <param name="Dropout">Dropout before the classifier layer.</param>
/// <param name="MaxShift">Random translation in pixels (each axis) applied to training images.</param>
/// <param name="HorizontalFlip">Random left-right flips of training images (clothes are mirror-symmetric, digits are not).</param>
/// <param name="Seed">Seed of initialization, shuffling and augmentation; same seed and data give the same weights.</param>
public sealed record CdmNetConfig(
    string Dataset,
    int Classes,
    int Width = 16,
    int FeatureDimension = 128,
    int Epochs = 6,
    int BatchSize = 128,
    double MaxLearningRate = 3e-3,
    double WeightDecay = 5e-4,
    double Dropout = 0.3,
    int MaxShift = 2,
    bool HorizontalFlip = false,
    int Seed = 0)
{
    /// <summary>The project's standard configuration for <paramref name="dataset"/> (what `cdm features train` uses by default).</summary>
    public static CdmNetConfig ForDataset(string dataset, int seed = 0) => CdmNotebooks.Data.DatasetCatalog.ParentOf(dataset) switch
    {
        // The fewest epochs (one-cycle schedule) that reach each network's accuracy target; more buy little and cost minutes
        // (measurements: docs/benchmarks.md, "Feature networks").
        "fashion-mnist" => new CdmNetConfig("fashion-mnist", 10, Epochs: 10, BatchSize: 256, MaxShift: 1, HorizontalFlip: true, Seed: seed),
        // 8k training images: more epochs over them cost less than one Fashion-MNIST epoch.
        "mnist10k" => new CdmNetConfig("mnist10k", 10, Epochs: 12, Seed: seed),
        "union" => new CdmNetConfig("union", 20, Epochs: 3, BatchSize: 256, MaxShift: 1, Seed: seed),
        _ => throw new ArgumentException($"Unknown dataset '{dataset}' for a CdmNet feature network. Use fashion-mnist, mnist10k or union.", nameof(dataset)),
    };
}
