using static TorchSharp.torch;

namespace CdmNotebooks.TextToImage;

/// <summary>Trains a <see cref="CellClassifier"/> on the cells of real rendered training scenes (AdamW, cross-entropy, seeded batch draws).</summary>
public static class CellClassifierTrainer
{
    /// <summary>Trains on <paramref name="images"/> [N,1,2s,2s] of scenes whose true cell categories are <paramref name="cellCategories"/> [N*4] (see <see cref="SceneRenderer.CellCategories"/>).</summary>
    public static CellClassifier Train(CellClassifierConfig config, Tensor images, IReadOnlyList<long> cellCategories, Action<int, double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(cellCategories);
        config.Validate();
        if (images.shape[0] * 4 != cellCategories.Count)
        {
            throw new ArgumentException($"{images.shape[0]} scenes have {images.shape[0] * 4} cells but {cellCategories.Count} cell categories were given.", nameof(cellCategories));
        }

        manual_seed(config.Seed);
        var classifier = new CellClassifier(config);
        using var cells = CellClassifier.SplitCells(images);
        using var labels = tensor(cellCategories.ToArray(), ScalarType.Int64);
        using var optimizer = optim.AdamW(classifier.parameters(), lr: config.LearningRate, weight_decay: 1e-4);
        using var generator = new Generator((ulong)config.Seed);
        classifier.train();
        for (var step = 0; step < config.TrainSteps; step++)
        {
            using var scope = NewDisposeScope();
            var index = randint(cells.shape[0], [config.BatchSize], generator: generator, dtype: ScalarType.Int64);
            var loss = nn.functional.cross_entropy(classifier.Forward(cells.index_select(0, index)), labels.index_select(0, index));
            optimizer.zero_grad();
            loss.backward();
            // Cosine decay to zero: a short fixed budget converges more reliably than a constant rate.
            var lr = config.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * step / config.TrainSteps));
            foreach (var group in optimizer.ParamGroups)
            {
                group.LearningRate = lr;
            }

            optimizer.step();
            if (progress is not null && (step + 1) % 100 == 0)
            {
                progress(step + 1, loss.item<float>());
            }
        }

        classifier.eval();
        return classifier;
    }
}
