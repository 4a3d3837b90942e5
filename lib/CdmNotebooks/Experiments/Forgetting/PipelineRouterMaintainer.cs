using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CdmNotebooks.Composition;
using CdmNotebooks.Composition.Registry;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using CdmNotebooks.IO;
using CdmNotebooks.Protection;

namespace CdmNotebooks.Experiments.Forgetting;

/// <summary>The registry's router maintainer at the pipeline's scale: trains classifiers and density-ratio heads from sample IDs, cached by (kind, configuration, data identities) so a re-run reuses them with their measured train time.</summary>
public sealed class PipelineRouterMaintainer : IRouterMaintainer
{
    private static readonly JsonSerializerOptions CamelCase = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    private readonly CdmPipeline _pipeline;
    private readonly string _dataset;
    private readonly NoiseSchedule _schedule;
    private readonly string _cacheRoot;
    private readonly List<RouterTraining> _trainings = [];

    /// <summary>Maintains routers over shards of <paramref name="dataset"/>; the public reference set is <see cref="RouterReference"/>'s.</summary>
    public PipelineRouterMaintainer(CdmPipeline pipeline, string dataset)
    {
        _pipeline = pipeline ?? throw new ArgumentNullException(nameof(pipeline));
        _dataset = dataset;
        _schedule = pipeline.Scale.Paragon.CreateSchedule();
        _cacheRoot = Path.Combine(Path.GetDirectoryName(pipeline.Run.Models.Root)!, "routers");
        var test = pipeline.Test(dataset);
        ReferenceIds = RouterReference.Indices(test.Count, pipeline.Run.Seed).Select(i => test.Ids[i]).ToList();
    }

    /// <inheritdoc />
    public IReadOnlyList<string> ReferenceIds { get; }

    /// <summary>Every router training requested, in call order (cached ones carry their original train time).</summary>
    public IReadOnlyList<RouterTraining> Trainings => _trainings;

    /// <inheritdoc />
    public JsonElement Config(RouterKind kind, int shards) => JsonSerializer.SerializeToElement(NetworkConfig(kind, shards), CamelCase);

    /// <inheritdoc />
    public void TrainClassifier(IReadOnlyList<IReadOnlyList<string>> shardIds, string path, CancellationToken cancellationToken)
    {
        var config = NetworkConfig(RouterKind.Classifier, shardIds.Count);
        var options = _pipeline.Scale.RouterTraining with { Seed = _pipeline.Run.Seed * 1000 + 7 };
        TrainCached(RouterKind.Classifier, config, options, shardIds.Select(ids => DataIdentity.Of(ids)).ToList(), path, () =>
        {
            var sets = shardIds.Select(ids => Set(_pipeline.Train(_dataset), ids)).ToList();
            try
            {
                return RouterTrainer.TrainClassifier(sets, _schedule, config, options, cancellationToken: cancellationToken);
            }
            finally
            {
                sets.ForEach(Dispose);
            }
        });
    }

    /// <inheritdoc />
    public void TrainHead(IReadOnlyList<string> shardIds, IReadOnlyList<string> referenceIds, string path, CancellationToken cancellationToken)
    {
        var config = NetworkConfig(RouterKind.Compartmentalized, 1);
        var options = _pipeline.Scale.RouterTraining with { Seed = _pipeline.Run.Seed * 1000 + 11 };
        TrainCached(RouterKind.Compartmentalized, config, options, [DataIdentity.Of(shardIds), DataIdentity.Of(referenceIds)], path, () =>
        {
            var shard = Set(_pipeline.Train(_dataset), shardIds);
            var reference = Set(_pipeline.Test(_dataset), referenceIds);
            try
            {
                return RouterTrainer.TrainDensityRatioHead(shard, reference, _schedule, config, options, cancellationToken: cancellationToken);
            }
            finally
            {
                Dispose(shard);
                Dispose(reference);
            }
        });
    }

    private RouterNetworkConfig NetworkConfig(RouterKind kind, int shards) =>
        _pipeline.Scale.Router with { Outputs = kind == RouterKind.Classifier ? shards : 1 };

    private void TrainCached(RouterKind kind, RouterNetworkConfig config, RouterTrainingOptions options, IReadOnlyList<string> identities, string path, Func<RouterNetwork> train)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n",
            [kind.Name(), JsonSerializer.Serialize(config), JsonSerializer.Serialize(options), JsonSerializer.Serialize(_schedule.Kind + _schedule.Steps), .. identities]))))[..20];
        var weights = Path.Combine(_cacheRoot, key + ".bin");
        var record = Path.Combine(_cacheRoot, key + ".json");
        if (File.Exists(record) && File.Exists(weights))
        {
            var cached = JsonSerializer.Deserialize<RouterTraining>(File.ReadAllText(record), CamelCase)!;
            File.Copy(weights, path, overwrite: false);
            _trainings.Add(cached with { FromCache = true });
            return;
        }

        Directory.CreateDirectory(_cacheRoot);
        var clock = Stopwatch.StartNew();
        using (var network = train())
        {
            var seconds = clock.Elapsed.TotalSeconds;
            var staging = weights + ".tmp";
            network.save(staging);
            File.Move(staging, weights, overwrite: true);
            var training = new RouterTraining(kind, identities.Count, options.Steps, seconds, FromCache: false);
            AtomicFile.WriteAllText(record, JsonSerializer.Serialize(training, CamelCase));
            _trainings.Add(training);
        }

        File.Copy(weights, path, overwrite: false);
        _pipeline.Run.Log($"  trained {kind.Name()} router part over {identities.Count} data set(s) in {clock.Elapsed.TotalSeconds:F1} s");
    }

    private static RouterTrainingSet Set(LabeledImages source, IReadOnlyList<string> ids)
    {
        using var subset = source.SelectIds(ids);
        return new RouterTrainingSet(subset.Images.clone(), subset.LabelTensor());
    }

    private static void Dispose(RouterTrainingSet set)
    {
        set.Images.Dispose();
        set.Labels?.Dispose();
    }
}
