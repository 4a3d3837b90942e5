using CdmNotebooks.Data;
using CdmNotebooks.TextToImage;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.TextToImage;

public sealed class SceneDatasetTests
{
    private static readonly SceneDatasetConfig _small = new() { Seed = 3, TrainScenes = 600, HeldOutScenes = 150 };

    /// <summary>Synthetic pools: 5 training and 2 held-out IDs per category (no real data needed).</summary>
    private static ScenePools SyntheticPools() => new(
        Enumerable.Range(0, 20).Select(c => (IReadOnlyList<string>)Enumerable.Range(0, 5).Select(i => $"src/train/{c}/{i}").ToArray()).ToArray(),
        Enumerable.Range(0, 20).Select(c => (IReadOnlyList<string>)Enumerable.Range(0, 2).Select(i => $"src/test/{c}/{i}").ToArray()).ToArray());

    [Fact]
    public void SameConfigurationGivesIdenticalScenesAndAnotherSeedDiffers()
    {
        var first = SceneGenerator.Generate(_small, SyntheticPools());
        var second = SceneGenerator.Generate(_small, SyntheticPools());
        var other = SceneGenerator.Generate(_small with { Seed = 4 }, SyntheticPools());
        Assert.Equal(first.ToText(), second.ToText());
        Assert.Equal(first.ToManifest().ContentSha256, second.ToManifest().ContentSha256);
        Assert.NotEqual(first.ToText(), other.ToText());
    }

    [Fact]
    public void CaptionsParseBackToTheirLayoutAndFollowTheGrammar()
    {
        var dataset = SceneGenerator.Generate(_small, SyntheticPools());
        foreach (var scene in dataset.Train.Concat(dataset.HeldOut))
        {
            var parsed = SceneLayout.Parse(scene.Caption);
            Assert.Equal(scene.Layout.Objects, parsed.Objects);
            Assert.Equal(scene.Layout.Objects.Count, scene.Caption.Split(" and ").Length);
            Assert.All(scene.Caption.Split(' '), w => Assert.Contains(w, SceneVocabulary.Words));
        }

        Assert.Equal(new[] { 1, 2, 3 }, dataset.Train.Select(s => s.Layout.Objects.Count).Distinct().Order());
        var layout = SceneLayout.Parse("a sneaker top left and a 7 bottom right");
        Assert.Equal(new[] { new PlacedObject(7, GridCell.TopLeft), new PlacedObject(17, GridCell.BottomRight) }, layout.Objects);
        Assert.Equal(SceneVocabulary.Empty, layout.CategoryAt(GridCell.TopRight));
    }

    [Fact]
    public void MalformedCaptionsAreRejectedNamingTheProblem()
    {
        var unknown = Assert.Throws<FormatException>(() => SceneLayout.Parse("a cat top left"));
        Assert.Contains("'cat'", unknown.Message);
        Assert.Contains("sneaker", unknown.Message);
        var order = Assert.Throws<FormatException>(() => SceneLayout.Parse("a 7 bottom right and a sneaker top left"));
        Assert.Contains("a sneaker top left and a 7 bottom right", order.Message);
        Assert.Throws<FormatException>(() => SceneLayout.Parse("a 7 middle left"));
        Assert.Throws<ArgumentException>(() => SceneLayout.Parse("a 7 top left and a 8 top left"));
    }

    [Fact]
    public void EverySceneCarriesOneDistinctSourceIdPerObjectFromTheRightPart()
    {
        var pools = SyntheticPools();
        var dataset = SceneGenerator.Generate(_small, pools);
        foreach (var (scenes, pool) in new[] { (dataset.Train, (Func<int, IReadOnlyList<string>>)pools.Train), (dataset.HeldOut, pools.HeldOut) })
        {
            foreach (var scene in scenes)
            {
                Assert.Equal(scene.Layout.Objects.Count, scene.SourceIds.Count);
                Assert.Equal(scene.SourceIds.Count, scene.SourceIds.Distinct().Count());
                for (var k = 0; k < scene.SourceIds.Count; k++)
                {
                    Assert.Contains(scene.SourceIds[k], pool(scene.Layout.Objects[k].Category));
                }
            }
        }

        Assert.All(dataset.Train, s => Assert.StartsWith("scenes/train/", s.Id));
        Assert.All(dataset.HeldOut, s => Assert.StartsWith("scenes/heldout/", s.Id));
    }

    [Fact]
    public void HeldOutPromptsAreDisjointFromTrainingPromptsAndFollowTheHashSplit()
    {
        var dataset = SceneGenerator.Generate(_small, SyntheticPools());
        Assert.Empty(dataset.TrainPrompts.Intersect(dataset.HeldOutPrompts));
        Assert.All(dataset.HeldOutPrompts, p => Assert.True(SceneGenerator.IsHeldOutPrompt(p, _small)));
        Assert.All(dataset.TrainPrompts, p => Assert.False(SceneGenerator.IsHeldOutPrompt(p, _small)));
        var heldOutScene = dataset.HeldOut[0];
        Assert.Throws<ArgumentException>(() => new SceneDataset(_small, [heldOutScene with { Id = "scenes/train/000000" }], [heldOutScene]));
    }

    [Fact]
    public void RenderedCellsHoldTheDownsampledSourceImagesAndEmptyCellsAreBlack()
    {
        using var digits = DatasetCatalog.Load("mnist10k", "test");
        var renderer = new SceneRenderer(14, digits);
        var scenes = new[]
        {
            new Scene("s/0", SceneLayout.Parse("a 3 top right and a 0 bottom left"), [digits.Ids[300], digits.Ids[5]]),
            new Scene("s/1", SceneLayout.Parse("a 9 bottom right"), [digits.Ids[999]]),
        };
        using var images = renderer.Render(scenes);
        Assert.Equal(new long[] { 2, 1, 28, 28 }, images.shape);
        using var small = nn.functional.avg_pool2d(digits.Images, 2);
        Assert.True(images[0, 0, TensorIndex.Slice(0, 14), TensorIndex.Slice(14, 28)].allclose(small[300, 0]));
        Assert.True(images[0, 0, TensorIndex.Slice(14, 28), TensorIndex.Slice(0, 14)].allclose(small[5, 0]));
        Assert.Equal(-1f, images[0, 0, TensorIndex.Slice(0, 14), TensorIndex.Slice(0, 14)].max().item<float>());
        Assert.Equal(-1f, images[1, 0, TensorIndex.Slice(0, 28), TensorIndex.Slice(0, 14)].max().item<float>());
        Assert.Equal(new long[] { 20, 13, 10, 20, 20, 20, 20, 19 }, SceneRenderer.CellCategories(scenes));
        var missing = Assert.Throws<KeyNotFoundException>(() => renderer.Render([new Scene("s/2", SceneLayout.Parse("a 1 top left"), ["fashion-mnist/train/000001"])]));
        Assert.Contains("fashion-mnist/train/000001", missing.Message);
    }

    [Fact]
    public void CommittedManifestRegeneratesFromRealDataWithLabelsMatchingCaptions()
    {
        var dataset = SceneDataset.Load();
        var manifest = SceneManifest.Load(SceneManifest.DefaultPath());
        Assert.Equal(manifest.TrainScenes, dataset.Train.Count);
        Assert.Equal(manifest.HeldOutPrompts, dataset.HeldOutPrompts.Count);
        using var fashionTest = DatasetCatalog.Load("fashion-mnist", "test");
        using var digitsTest = DatasetCatalog.Load("mnist10k", "test");
        var labelOf = fashionTest.Ids.Zip(fashionTest.Labels).Concat(digitsTest.Ids.Zip(digitsTest.Labels)).ToDictionary(p => p.First, p => p.Second);
        foreach (var scene in dataset.HeldOut)
        {
            for (var k = 0; k < scene.SourceIds.Count; k++)
            {
                var category = scene.Layout.Objects[k].Category;
                Assert.StartsWith(SceneVocabulary.DatasetOf(category) + "/", scene.SourceIds[k]);
                Assert.Equal(SceneVocabulary.LabelOf(category), labelOf[scene.SourceIds[k]]);
            }
        }

        var tampered = Path.GetTempFileName();
        try
        {
            (manifest with { Seed = manifest.Seed + 1 }).Save(tampered);
            Assert.Throws<DataFormatException>(() => SceneDataset.FromManifest(SceneManifest.Load(tampered), SceneDataset.LoadPools(), tampered));
        }
        finally
        {
            File.Delete(tampered);
        }
    }
}
