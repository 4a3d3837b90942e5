using CdmNotebooks.TextToImage;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.TextToImage;

public sealed class AnswererTrainingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cdm-t2i-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void CellClassifierTrainedBrieflyOnRealScenesReadsHeldOutScenesFarAboveChanceAndRoundTrips()
    {
        var dataset = SceneGenerator.Generate(new SceneDatasetConfig { Seed = 5, TrainScenes = 3000, HeldOutScenes = 300 }, SceneDataset.LoadPools());
        var renderer = SceneRenderer.ForRealData(14);
        using var train = renderer.Render(dataset.Train);
        using var heldOut = renderer.Render(dataset.HeldOut);
        var config = new CellClassifierConfig { TrainSteps = 200, BatchSize = 128 };
        using var classifier = CellClassifierTrainer.Train(config, train, SceneRenderer.CellCategories(dataset.Train));

        var accuracy = AnswererEvaluation.Evaluate(classifier, heldOut, dataset.HeldOut, bootstrapResamples: 200);
        Assert.True(accuracy.EmptyCellAccuracy > 0.95, $"empty cells {accuracy.EmptyCellAccuracy}");
        Assert.True(accuracy.ObjectCellAccuracy > 0.5, $"object cells {accuracy.ObjectCellAccuracy} (chance 0.05)");
        Assert.True(accuracy.CountAccuracy > 0.9, $"counter {accuracy.CountAccuracy}");
        Assert.True(accuracy.TrueCaptions.Score > accuracy.MismatchedCaptions.Score + 0.3,
            $"own captions {accuracy.TrueCaptions.Score} vs mismatched {accuracy.MismatchedCaptions.Score}");

        var path = Path.Combine(_dir, "cells.bin");
        classifier.Save(path);
        using var loaded = CellClassifier.Load(path);
        Assert.Equal(config, loaded.Config);
        Assert.Equal(classifier.PredictCells(heldOut), loaded.PredictCells(heldOut));
        Assert.Throws<FileNotFoundException>(() => CellClassifier.Load(Path.Combine(_dir, "missing.bin")));
    }
}
