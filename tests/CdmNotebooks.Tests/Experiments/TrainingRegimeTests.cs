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
        var grids = Table1Settings.For("standard").Grids.Where(g => g.Regime.HasBase && g.StepMultiple == 1).ToDictionary(g => g.Regime.BaseDataset!);

        Assert.Equal(paragonRate / 8, grids[DatasetCatalog.PublicPart].Regime.FineTuneLearningRate, 12);
        Assert.Equal(paragonRate / 2, grids["fashion-mnist"].Regime.FineTuneLearningRate, 12);
        // The cross-domain block at 8x the budget fine-tunes exactly as its 1x block does: only the steps differ.
        var scaled = Assert.Single(Table1Settings.For("standard").Grids, g => g.StepMultiple != 1);
        Assert.Equal(8, scaled.StepMultiple);
        Assert.Equal(grids["fashion-mnist"].Regime.Name, scaled.Regime.Name);
        Assert.Equal(grids["fashion-mnist"].Regime.FineTuneLearningRate, scaled.Regime.FineTuneLearningRate);
        Assert.Equal(grids["fashion-mnist"].Dataset, scaled.Dataset);
    }

    [Fact]
    public void SmokeRegimesKeepHalfTheParagonsRate()
    {
        var paragonRate = ExperimentScale.Shared("smoke").Paragon.LearningRate;

        Assert.Equal(paragonRate / 2, TrainingRegime.FromPublicBase("smoke", DatasetCatalog.PublicPart).FineTuneLearningRate, 12);
        Assert.Equal(paragonRate / 2, TrainingRegime.FromPublicBase("smoke", "fashion-mnist").FineTuneLearningRate, 12);
    }
}
