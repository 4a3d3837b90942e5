using static TorchSharp.torch;

namespace CdmNotebooks.TextToImage;

/// <summary>Measures the built-in answerers on real rendered scenes: per-cell, counter and whole-scene accuracy, and the TIFA-style score of real images with their own and with mismatched captions.</summary>
public static class AnswererEvaluation
{
    /// <summary>Evaluates <paramref name="classifier"/> on <paramref name="images"/> [N,1,S,S] rendered from <paramref name="scenes"/>.</summary>
    public static AnswererAccuracy Evaluate(CellClassifier classifier, Tensor images, IReadOnlyList<Scene> scenes, int bootstrapResamples = 1000, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(scenes);
        if (scenes.Count < 2 || images.shape[0] != scenes.Count)
        {
            throw new ArgumentException($"Need at least two scenes and one image per scene; got {scenes.Count} scenes and {images.shape[0]} images.", nameof(scenes));
        }

        var predicted = classifier.PredictCells(images);
        var truth = SceneRenderer.CellCategories(scenes);
        int cellHits = 0, objectHits = 0, objects = 0, emptyHits = 0, countHits = 0, sceneHits = 0;
        for (var n = 0; n < scenes.Count; n++)
        {
            var allRight = true;
            var predictedCount = 0;
            for (var c = 0; c < 4; c++)
            {
                var hit = predicted[n * 4 + c] == truth[n * 4 + c];
                allRight &= hit;
                cellHits += hit ? 1 : 0;
                predictedCount += predicted[n * 4 + c] == SceneVocabulary.Empty ? 0 : 1;
                if (truth[n * 4 + c] == SceneVocabulary.Empty)
                {
                    emptyHits += hit ? 1 : 0;
                }
                else
                {
                    objects++;
                    objectHits += hit ? 1 : 0;
                }
            }

            countHits += predictedCount == scenes[n].Layout.Objects.Count ? 1 : 0;
            sceneHits += allRight ? 1 : 0;
        }

        var scorer = new TifaScorer(new CellClassifierAnswerer(classifier), bootstrapResamples, seed);
        var captions = scenes.Select(s => s.Caption).ToArray();
        // Shifting by one scene is a derangement: every image is asked about another scene's caption.
        var mismatched = captions.Skip(1).Append(captions[0]).ToArray();
        var cells = scenes.Count * 4;
        return new AnswererAccuracy(
            scenes.Count,
            (double)cellHits / cells,
            (double)objectHits / objects,
            (double)emptyHits / (cells - objects),
            (double)countHits / scenes.Count,
            (double)sceneHits / scenes.Count,
            scorer.Score(images, captions),
            scorer.Score(images, mismatched));
    }
}
