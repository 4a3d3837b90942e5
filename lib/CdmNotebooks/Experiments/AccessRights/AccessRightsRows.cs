using CdmNotebooks.Reporting;
using CsvHelper;

namespace CdmNotebooks.Experiments.AccessRights;

/// <summary>One row of access-rights.csv: one user's composition under one router, scored, with the two proofs that unentitled shards took no part.</summary>
/// <param name="Dataset">The dataset.</param>
/// <param name="Split">The split.</param>
/// <param name="Shards">Its shard count.</param>
/// <param name="User">The user.</param>
/// <param name="EntitledShards">The user's shards (short names, space-separated).</param>
/// <param name="EntitledClasses">The classes those shards hold (space-separated).</param>
/// <param name="Method">cdm.</param>
/// <param name="Router">The router kind's name.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Profile">The run's profile.</param>
/// <param name="Entitled">The samples of the entitled classes against the test images of those classes.</param>
/// <param name="All">All samples (every class requested) against the whole test part.</param>
/// <param name="ConditionalAccuracyUnentitled">Mean per-class accuracy of requests for unentitled classes; empty when the user holds every class.</param>
/// <param name="FilesOpened">Registry files the composition opened.</param>
/// <param name="EntitledCheckpointsOpened">"all", or which entitled checkpoints were seen opening (the spy's control).</param>
/// <param name="UnentitledFilesOpened">Unentitled checkpoints or router heads opened (must be 0).</param>
/// <param name="WeightPairsChecked">(sample, step) pairs whose weights were read.</param>
/// <param name="UnentitledNonzeroPairs">Of those, pairs where an unentitled shard had a nonzero weight (must be 0).</param>
/// <param name="MaxUnentitledWeight">The largest unentitled weight seen.</param>
/// <param name="UnnormalizedPairs">Pairs whose weights do not sum to 1.</param>
/// <param name="TrainSeconds">Training time of the entitled shards.</param>
/// <param name="SampleSeconds">Sampling time.</param>
[CsvRecord]
public sealed partial record AccessRightsRow(
    [property: CsvColumn("dataset")] string Dataset,
    [property: CsvColumn("split")] string Split,
    [property: CsvColumn("shards")] int Shards,
    [property: CsvColumn("user")] string User,
    [property: CsvColumn("entitled_shards")] string EntitledShards,
    [property: CsvColumn("entitled_classes")] string EntitledClasses,
    [property: CsvColumn("method")] string Method,
    [property: CsvColumn("router")] string Router,
    [property: CsvColumn("seed")] int Seed,
    [property: CsvColumn("profile")] string Profile,
    [property: CsvColumn(Prefix = "entitled_")] EvaluationRow Entitled,
    [property: CsvColumn(Prefix = "all_")] EvaluationRow All,
    [property: CsvColumn("cond_acc_unentitled")] double? ConditionalAccuracyUnentitled,
    [property: CsvColumn("files_opened")] int FilesOpened,
    [property: CsvColumn("entitled_checkpoints_opened")] string EntitledCheckpointsOpened,
    [property: CsvColumn("unentitled_files_opened")] int UnentitledFilesOpened,
    [property: CsvColumn("weight_pairs_checked")] long WeightPairsChecked,
    [property: CsvColumn("unentitled_nonzero_pairs")] long UnentitledNonzeroPairs,
    [property: CsvColumn("max_unentitled_weight")] double MaxUnentitledWeight,
    [property: CsvColumn("unnormalized_pairs")] long UnnormalizedPairs,
    [property: CsvColumn("train_seconds")] double TrainSeconds,
    [property: CsvColumn("sample_seconds")] double SampleSeconds) : IRunRow;

/// <summary>One row of weights.csv: the mean and max weight w_i of one shard at one sampler step, over one user's samples under one router.</summary>
/// <param name="User">The user.</param>
/// <param name="Router">The router kind's name.</param>
/// <param name="Step">The sampler step.</param>
/// <param name="Timestep">Its diffusion timestep.</param>
/// <param name="Shard">The shard's name.</param>
/// <param name="Entitled">yes or no.</param>
/// <param name="MeanWeight">Mean weight over the samples.</param>
/// <param name="MaxWeight">Max weight over the samples.</param>
[CsvRecord]
public sealed partial record AccessWeightRow(
    [property: CsvColumn("user")] string User,
    [property: CsvColumn("router")] string Router,
    [property: CsvColumn("step")] int Step,
    [property: CsvColumn("timestep")] double Timestep,
    [property: CsvColumn("shard")] string Shard,
    [property: CsvColumn("entitled")] string Entitled,
    [property: CsvColumn("mean_weight")] double MeanWeight,
    [property: CsvColumn("max_weight")] double MaxWeight);
