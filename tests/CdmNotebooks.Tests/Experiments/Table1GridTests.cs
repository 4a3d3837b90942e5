using CdmNotebooks.Data;
using CdmNotebooks.Experiments;
using CdmNotebooks.Experiments.Table1;
using CdmNotebooks.Reporting;

namespace CdmNotebooks.Tests.Experiments;

/// <summary>A Table 1 block with a multiplied budget trains its paragon, and at compute parity every shard, for that multiple of the profile's steps, and its rows are told apart from the unscaled block's by their budget.</summary>
public sealed class Table1GridTests
{
    [Fact]
    public void AScaledBlockMultipliesTheParagonsAndEveryShardsStepsAndHasItsOwnKeyNameAndFiles()
    {
        var settings = Table1Settings.For("standard");
        var regime = TrainingRegime.FromPublicBase("standard", "fashion-mnist");
        var plain = new Table1Grid(regime, "mnist10k", [(SplitScheme.Uniform, 8)]);
        var scaled = plain with { StepMultiple = 4 };

        var steps = settings.Scale.Paragon.TrainSteps;
        Assert.Equal(steps, settings.Budget(plain));
        Assert.Equal(4 * steps, settings.Budget(scaled));
        Assert.Equal(4 * steps, scaled.ScaleFrom(settings.Scale).Paragon.TrainSteps);
        Assert.Same(settings.Scale, plain.ScaleFrom(settings.Scale));
        // Everything but the budget stays: same recipe, warm-up and batch.
        Assert.Equal(settings.Scale.Paragon with { TrainSteps = 4 * steps }, scaled.ScaleFrom(settings.Scale).Paragon);

        // A uniform-8 shard gets its parity share of the scaled budget: 4x the unscaled shard's steps.
        var split = ShardSplit.Load(ShardSplit.NameFor("mnist10k", SplitScheme.Uniform, 8, ShardSplit.DefaultSeed));
        var fraction = split.IdsOfShard(0).Count / (double)split.Ids.Count;
        Assert.Equal(
            4 * ComputeParity.ForShard(settings.Scale.Paragon, fraction).TrainSteps,
            ComputeParity.ForShard(scaled.ScaleFrom(settings.Scale).Paragon, fraction).TrainSteps, tolerance: 2);

        Assert.Equal(regime.Name, plain.Name);
        Assert.Equal($"{regime.Name} x4", scaled.Name);
        Assert.Equal("fine-tuned-fashion-mnist-", plain.FilePrefix);
        Assert.Equal("fine-tuned-fashion-mnist-x4-", scaled.FilePrefix);
        Assert.Equal("", new Table1Grid(TrainingRegime.Scratch, "mnist10k", []).FilePrefix);
        // A row of the scaled block carries its budget, so it is not read as a row of the plain block (and the reverse).
        var metrics = new EvaluationRow(1, 0, 2, 0, 0, null, null, 10);
        var row = new Table1Row(regime.Name, "mnist10k", "all", 1, "paragon", "-", 0, "smoke", 4 * steps, metrics, 4 * steps, 0, 0, 0, 10, "single model", 1);
        Assert.True(settings.InBlock(scaled, row));
        Assert.False(settings.InBlock(plain, row));
        Assert.True(settings.InBlock(plain, row with { Budget = steps }));
    }

    [Fact]
    public void ARunSelectsABlockByItsExactName()
    {
        var run = new ExperimentRun("table1", "standard") { Regime = "fine-tuned:fashion-mnist x4" };
        var regime = TrainingRegime.FromPublicBase("standard", "fashion-mnist");
        var plain = new Table1Grid(regime, "mnist10k", []);

        Assert.True(run.Selects((plain with { StepMultiple = 4 }).Name));
        Assert.False(run.Selects(plain.Name));
        Assert.True(new ExperimentRun("table1", "standard").Selects(plain.Name));
    }
}
