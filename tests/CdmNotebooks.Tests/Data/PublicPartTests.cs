using CdmNotebooks.Data;
using CdmNotebooks.Experiments;
using CdmNotebooks.Experiments.Table1;

namespace CdmNotebooks.Tests.Data;

/// <summary>The in-domain regime's data: the committed public part of Fashion-MNIST train, its private remainder, and the disjointness every fine-tuned model is checked for.</summary>
public sealed class PublicPartTests
{
    [Fact]
    public void PublicAndPrivatePartsPartitionFashionMnistTrainAndShareItsTestPart()
    {
        using var train = DatasetCatalog.Load("fashion-mnist", "train");
        using var publicTrain = DatasetCatalog.Load(DatasetCatalog.PublicPart, "train");
        using var privateTrain = DatasetCatalog.Load(DatasetCatalog.PrivatePart, "train");
        using var privateTest = DatasetCatalog.Load(DatasetCatalog.PrivatePart, "test");
        Assert.Equal(10 * FashionMnistPublicPart.PerClass, publicTrain.Count);
        Assert.Equal(train.Count - publicTrain.Count, privateTrain.Count);
        Assert.Empty(publicTrain.Ids.Intersect(privateTrain.Ids));
        Assert.Equal(train.Ids.Order(StringComparer.Ordinal), publicTrain.Ids.Concat(privateTrain.Ids).Order(StringComparer.Ordinal));
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(FashionMnistPublicPart.PerClass, publicTrain.Labels.Count(l => l == c)));
        Assert.Equal(10_000, privateTest.Count);
        Assert.Equal("fashion-mnist", DatasetCatalog.ParentOf(DatasetCatalog.PrivatePart));

        // The committed list is what its seed regenerates.
        var committed = File.ReadAllText(Path.Combine(RepositoryPaths.Manifests, "datasets", FashionMnistPublicPart.FileName));
        Assert.Equal(FashionMnistPublicPart.Generate(train.Labels, FashionMnistPublicPart.PerClass, ShardSplit.DefaultSeed), committed);
    }

    [Fact]
    public void SplitNamesOfThePrivatePartParseToItsDataset()
    {
        Assert.Equal(DatasetCatalog.PrivatePart, SplitCatalog.ParseName("fashion-mnist-private-uniform-8").Dataset);
        Assert.Equal("fashion-mnist", SplitCatalog.ParseName("fashion-mnist-uniform-8").Dataset);
    }

    [Fact]
    public void AFineTunedModelWhoseDataTheBaseSawIsRefusedNamingTheSharedIds()
    {
        var regime = TrainingRegime.FromPublicBase("smoke", "fashion-mnist");
        var error = Assert.Throws<ArgumentException>(() => regime.CheckDisjoint(["fashion-mnist/train/000001", "fashion-mnist/train/000002"], ["fashion-mnist/train/000002", "x"], "shard 0"));
        Assert.Contains("1 of the 2 IDs shard 0 trains on", error.Message, StringComparison.Ordinal);
        Assert.Contains("fashion-mnist/train/000002", error.Message, StringComparison.Ordinal);
        regime.CheckDisjoint(["fashion-mnist/train/000001"], ["fashion-mnist/train/000002"], "shard 0");
    }

    [Fact]
    public void TheStandardTable1MeasuresBothFineTunedRegimesOnDisjointData()
    {
        var settings = Table1Settings.For("standard");
        var fineTuned = settings.Grids.Where(g => g.Regime.HasBase && g.StepMultiple == 1).ToList();
        Assert.Equal(["fine-tuned:fashion-mnist", "fine-tuned:fashion-mnist-public"], fineTuned.Select(g => g.Regime.Name));
        Assert.Equal(["mnist10k", DatasetCatalog.PrivatePart], fineTuned.Select(g => g.Dataset));
        Assert.All(fineTuned, g => Assert.Equal([SplitScheme.ByClass, SplitScheme.Uniform], g.EightShardSchemes));
        using var publicTrain = DatasetCatalog.Load(DatasetCatalog.PublicPart, "train");
        using var privateTrain = DatasetCatalog.Load(DatasetCatalog.PrivatePart, "train");
        fineTuned[1].Regime.CheckDisjoint(publicTrain.Ids, privateTrain.Ids, "the in-domain paragon");
    }
}
