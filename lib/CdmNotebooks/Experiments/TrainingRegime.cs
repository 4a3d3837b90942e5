using CdmNotebooks.Diffusion;

namespace CdmNotebooks.Experiments;

/// <summary>Where every model of an experiment starts: from scratch, or fine-tuned from one base trained only on public data (the paper's setting: every shard starts from one pretrained model).</summary>
/// <param name="Name">The regime's name in result rows: <c>scratch</c> or <c>fine-tuned:&lt;base dataset&gt;</c>.</param>
/// <param name="BaseDataset">The dataset whose whole training part the base trains on (public by construction: disjoint from every shard); null for scratch.</param>
/// <param name="BaseConfig">The base's training configuration; its architecture, prediction kind and schedule must equal the fine-tuned models'. Its cost is pretraining, outside compute parity.</param>
/// <param name="FineTuneLearningRate">Peak learning rate of the fine-tuned models (a fresh optimizer over the base's weights); their decay and loss weighting follow the base's recipe.</param>
public sealed record TrainingRegime(string Name, string? BaseDataset, TrainingConfig? BaseConfig, double FineTuneLearningRate = 0)
{
    /// <summary>Every model trains from a fresh initialization.</summary>
    public static TrainingRegime Scratch { get; } = new("scratch", null, null);

    /// <summary>Every model is fine-tuned from a base trained on all of <paramref name="baseDataset"/>'s training part with <paramref name="baseConfig"/>.</summary>
    public static TrainingRegime FineTuned(string baseDataset, TrainingConfig baseConfig, double FineTuneLearningRate)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(baseDataset);
        ArgumentNullException.ThrowIfNull(baseConfig);
        if (!(FineTuneLearningRate > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(FineTuneLearningRate), $"A fine-tuning learning rate must be > 0; got {FineTuneLearningRate}.");
        }

        return new TrainingRegime($"fine-tuned:{baseDataset}", baseDataset, baseConfig, FineTuneLearningRate);
    }

    /// <summary>
    /// A fine-tuned regime whose base trains on all of <paramref name="baseDataset"/>'s training part: fashion-mnist for the cross-domain
    /// regime (the analogue of ImageNet pretraining for CUB; MNIST-10k models are fine-tuned from it), fashion-mnist-public for the in-domain
    /// one (Fashion-MNIST's private part is fine-tuned from it). The base uses the profile's shared model (<see cref="ExperimentScale.Shared"/>)
    /// with min-SNR-5 weighting and a cosine learning-rate decay; its cost is pretraining, reported apart from compute parity.
    /// </summary>
    /// <param name="profile">The profile whose shared model the base and the fine-tuned models use.</param>
    /// <param name="baseDataset">The dataset whose whole training part the base trains on.</param>
    /// <param name="fineTuneRateDivisor">The fine-tuned models' peak learning rate is the paragon's divided by this.</param>
    public static TrainingRegime FromPublicBase(string profile, string baseDataset, int fineTuneRateDivisor = 2)
    {
        var paragon = ExperimentScale.Shared(profile).Paragon;
        var baseConfig = profile == "smoke"
            ? paragon with { BatchSize = 32, TrainSteps = 600, WarmupSteps = 30, CheckpointEvery = 300 }
            : paragon with { BatchSize = 64, TrainSteps = 2400, WarmupSteps = 100, CheckpointEvery = 400 };
        return FineTuned(baseDataset, baseConfig with { MinSnrGamma = 5, LearningRateDecay = "cosine" }, FineTuneLearningRate: paragon.LearningRate / fineTuneRateDivisor);
    }

    /// <summary>The configuration a model of this regime trains with, from the compute-parity configuration <paramref name="config"/> and the base's lineage.</summary>
    public TrainingConfig Apply(TrainingConfig config, BaseLineage lineage) => config with
    {
        Base = lineage,
        LearningRate = FineTuneLearningRate,
        LearningRateDecay = BaseConfig!.LearningRateDecay,
        MinSnrGamma = BaseConfig.MinSnrGamma,
    };

    /// <summary>The regime's name as it appears in file and folder names (<c>scratch</c>, <c>fine-tuned-fashion-mnist</c>).</summary>
    public string FileTag => Name.Replace(':', '-');

    /// <summary>Whether models start from a base.</summary>
    public bool HasBase => BaseDataset is not null;

    /// <summary>Throws when the base's training IDs <paramref name="baseIds"/> share any ID with <paramref name="ids"/>, the data of a model fine-tuned from it (the base must be public with respect to every shard).</summary>
    public void CheckDisjoint(IReadOnlyList<string> baseIds, IReadOnlyList<string> ids, string model) =>
        BaseLineage.CheckDisjoint(baseIds, ids, $"Regime {Name}: the base, trained on {BaseDataset},", model);
}
