using CsvHelper;

namespace CdmNotebooks.Experiments.Attribution;

/// <summary>One row of attribution.csv: how one router's weights credit the shards of one split, against the domain judge.</summary>
/// <param name="Dataset">The dataset.</param>
/// <param name="Split">The split.</param>
/// <param name="Scheme">Its scheme.</param>
/// <param name="Shards">Its shard count.</param>
/// <param name="Router">The router kind's name.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Profile">The run's profile.</param>
/// <param name="Sampler">The sampler.</param>
/// <param name="SamplerSteps">Its steps.</param>
/// <param name="Samples">Samples generated.</param>
/// <param name="CreditMatchRate">Samples whose credited shard holds the judged domain (domain splits only).</param>
/// <param name="FinalCreditMatchRate">The same with the last step's weights.</param>
/// <param name="ChanceMatchRate">The match rate expected by chance from the two marginals.</param>
/// <param name="Kappa">Cohen's kappa of credit against the judge.</param>
/// <param name="MeanCreditWeight">Mean time-averaged weight of the credited shard.</param>
/// <param name="CreditedCounts">Samples credited to each shard ("0:438 1:62").</param>
/// <param name="JudgedCounts">Samples the judge puts in each domain.</param>
/// <param name="RouterTrainSeconds">The router's training time.</param>
/// <param name="TrainSeconds">The shards' training time.</param>
/// <param name="SampleSeconds">Sampling time.</param>
[CsvRecord]
public sealed partial record AttributionRow(
    [property: CsvColumn("dataset")] string Dataset,
    [property: CsvColumn("split")] string Split,
    [property: CsvColumn("scheme")] string Scheme,
    [property: CsvColumn("shards")] int Shards,
    [property: CsvColumn("router")] string Router,
    [property: CsvColumn("seed")] int Seed,
    [property: CsvColumn("profile")] string Profile,
    [property: CsvColumn("sampler")] string Sampler,
    [property: CsvColumn("sampler_steps")] int SamplerSteps,
    [property: CsvColumn("samples")] int Samples,
    [property: CsvColumn("credit_match_rate")] double? CreditMatchRate,
    [property: CsvColumn("final_credit_match_rate")] double? FinalCreditMatchRate,
    [property: CsvColumn("chance_match_rate")] double? ChanceMatchRate,
    [property: CsvColumn("kappa")] double? Kappa,
    [property: CsvColumn("mean_credit_weight")] double MeanCreditWeight,
    [property: CsvColumn("credited_counts")] string CreditedCounts,
    [property: CsvColumn("judged_counts")] string JudgedCounts,
    [property: CsvColumn("router_train_seconds")] double RouterTrainSeconds,
    [property: CsvColumn("train_seconds")] double TrainSeconds,
    [property: CsvColumn("sample_seconds")] double SampleSeconds) : IRunRow;

/// <summary>One row of samples-{split}-{router}.csv: one generated sample, the shard its weights credit, and the domain the judge gives it.</summary>
/// <param name="Split">The split.</param>
/// <param name="Router">The router kind's name.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Profile">The run's profile.</param>
/// <param name="Sample">The sample's index.</param>
/// <param name="RequestedClass">The class requested.</param>
/// <param name="JudgedDomain">The judge's domain.</param>
/// <param name="JudgedDomainProbability">Its probability.</param>
/// <param name="CreditedShard">argmax of the time-averaged weights.</param>
/// <param name="CreditedShardDomain">That shard's domain.</param>
/// <param name="CreditWeight">Its time-averaged weight.</param>
/// <param name="FinalCreditedShard">argmax of the last step's weights.</param>
/// <param name="FinalCreditWeight">Its weight.</param>
/// <param name="TimeAveragedWeights">Every shard's time-averaged weight, ';'-separated.</param>
/// <param name="FinalWeights">Every shard's last-step weight, ';'-separated.</param>
[CsvRecord]
public sealed partial record AttributionSampleRow(
    [property: CsvColumn("split")] string Split,
    [property: CsvColumn("router")] string Router,
    [property: CsvColumn("seed")] int Seed,
    [property: CsvColumn("profile")] string Profile,
    [property: CsvColumn("sample")] int Sample,
    [property: CsvColumn("requested_class")] long RequestedClass,
    [property: CsvColumn("judged_domain")] string JudgedDomain,
    [property: CsvColumn("judged_domain_probability")] double JudgedDomainProbability,
    [property: CsvColumn("credited_shard")] int CreditedShard,
    [property: CsvColumn("credited_shard_domain")] string CreditedShardDomain,
    [property: CsvColumn("credit_weight")] double CreditWeight,
    [property: CsvColumn("final_credited_shard")] int FinalCreditedShard,
    [property: CsvColumn("final_credit_weight")] double FinalCreditWeight,
    [property: CsvColumn("time_averaged_weights")] string TimeAveragedWeights,
    [property: CsvColumn("final_weights")] string FinalWeights) : IRunRow;

/// <summary>One row of weights-{split}-{router}.csv: the mean weight of one shard at one sampler step over a group of samples (Fig. 3).</summary>
/// <param name="Split">The split.</param>
/// <param name="Router">The router kind's name.</param>
/// <param name="Seed">The run's seed.</param>
/// <param name="Profile">The run's profile.</param>
/// <param name="Step">The sampler step.</param>
/// <param name="Timestep">Its diffusion timestep.</param>
/// <param name="Group">"all", or "judged {domain}".</param>
/// <param name="Shard">The shard.</param>
/// <param name="MeanWeight">Its mean weight over the group.</param>
/// <param name="Samples">The group's size.</param>
[CsvRecord]
public sealed partial record AttributionCurveRow(
    [property: CsvColumn("split")] string Split,
    [property: CsvColumn("router")] string Router,
    [property: CsvColumn("seed")] int Seed,
    [property: CsvColumn("profile")] string Profile,
    [property: CsvColumn("step")] int Step,
    [property: CsvColumn("timestep")] long Timestep,
    [property: CsvColumn("group")] string Group,
    [property: CsvColumn("shard")] int Shard,
    [property: CsvColumn("mean_weight")] double MeanWeight,
    [property: CsvColumn("samples")] int Samples) : IRunRow;
