using CdmNotebooks.Data;
using CdmNotebooks.Experiments;
using CdmNotebooks.Experiments.Table1;

namespace CdmNotebooks.Tests.Experiments;

public sealed class TrainingRegimeTests
{
    [Fact]
    public void StandardTable1FineTunesInDomainAtAnEighthAndCrossDomainAtHalfTheParagonsRate()
    {
        var paragonRate = ExperimentScale.Shared("standard").Paragon.LearningRate;
        var grids = Table1Settings.For("standard").Grids.Where(g => g.Regime.HasBase).ToDictionary(g => g.Regime.BaseDataset!);

        Assert.Equal(paragonRate / 8, grids[DatasetCatalog.PublicPart].Regime.FineTuneLearningRate, 12);
        Assert.Equal(paragonRate / 2, grids["fashion-mnist"].Regime.FineTuneLearningRate, 12);
    }

    [Fact]
    public void SmokeRegimesKeepHalfTheParagonsRate()
    {
        var paragonRate = ExperimentScale.Shared("smoke").Paragon.LearningRate;

        Assert.Equal(paragonRate / 2, TrainingRegime.FromPublicBase("smoke", DatasetCatalog.PublicPart).FineTuneLearningRate, 12);
        Assert.Equal(paragonRate / 2, TrainingRegime.FromPublicBase("smoke", "fashion-mnist").FineTuneLearningRate, 12);
    }
}
