using System.Text.Json;
using CdmNotebooks.Composition;
using CdmNotebooks.Composition.Analytic;
using CdmNotebooks.Composition.Registry;
using CdmNotebooks.Diffusion;
using CdmNotebooks.IO;
using CdmNotebooks.Protection;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.Protection;

/// <summary>A registry in a temp folder holding Gaussian shards "a", "b", "c" (images [2,4,4]) whose "training" fits mean and variance to the samples named by IDs.</summary>
internal sealed class GaussianRegistryFixture : IDisposable, IShardTrainer, IRouterMaintainer
{
    private static readonly float[][] Centers = [[-3f, 0f], [3f, 0f], [0f, 3.5f]];
    private readonly Dictionary<string, float[]> _samples = new(StringComparer.Ordinal);

    public GaussianRegistryFixture(bool withRouters = false)
    {
        Root = Path.Combine(Path.GetTempPath(), "cdm-registry-" + Guid.NewGuid().ToString("N"));
        Registry = new ShardRegistry(Root);
        Schedule = NoiseSchedule.Linear(200);
        using var generator = new Generator(5);
        for (var shard = 0; shard < 3; shard++)
        {
            using var points = randn([40, 2], generator: generator) * 0.5 + tensor(Centers[shard]).unsqueeze(0);
            var flat = points.data<float>().ToArray();
            for (var k = 0; k < 40; k++)
            {
                _samples[$"g/{Name(shard)}/{k:D3}"] = [flat[2 * k], flat[2 * k + 1]];
            }
        }

        using var reference = randn([60, 2], generator: generator) * 3;
        var refFlat = reference.data<float>().ToArray();
        ReferenceIds = Enumerable.Range(0, 60).Select(k => $"ref/{k:D3}").ToList();
        for (var k = 0; k < 60; k++)
        {
            _samples[ReferenceIds[k]] = [refFlat[2 * k], refFlat[2 * k + 1]];
        }

        var index = Registry.ReadIndex();
        var shards = Enumerable.Range(0, 3).Select(i =>
            Registry.StageShard(new ShardDraft(Name(i), "gaussian-3", i, IdsOfShard(i), [], null, [], "initial"),
                path => Fit(path, IdsOfShard(i)))).ToList();
        var change = new RegistryChange { Base = index, ActivateShards = shards };
        if (withRouters)
        {
            var names = shards.Select(s => s.Name).ToList();
            var identities = shards.Select(s => s.DataIdentity).ToList();
            var referenceIdentity = Registry.StoreIds(ReferenceIds);
            var classifier = Registry.StageRouter("r-classifier", RouterKind.Classifier, names,
                [RouterPartSource.New(null, identities, path => TrainClassifier(identities.Select(Registry.IdsOf).ToList(), path, default))],
                Config(RouterKind.Classifier, 3), [], "initial");
            var heads = Registry.StageRouter("r-heads", RouterKind.Compartmentalized, names,
                shards.Select(s => RouterPartSource.New(s.Name, [s.DataIdentity, referenceIdentity],
                    path => TrainHead(Registry.IdsOf(s.DataIdentity), ReferenceIds, path, default))).ToList(),
                Config(RouterKind.Compartmentalized, 3), [], "initial");
            change = change with { ActivateRouters = [classifier, heads] };
        }

        Registry.Commit(change);
    }

    public string Root { get; }

    public ShardRegistry Registry { get; }

    public NoiseSchedule Schedule { get; }

    public List<string> TrainedShards { get; } = [];

    public List<string> OpenedCheckpoints { get; } = [];

    public Func<string, bool>? FailTraining { get; set; }

    public IReadOnlyList<string> ReferenceIds { get; }

    public static string Name(int shard) => ((char)('a' + shard)).ToString();

    public static List<string> IdsOfShard(int shard) => Enumerable.Range(0, 40).Select(k => $"g/{Name(shard)}/{k:D3}").ToList();

    public List<string> NewShardIds(string prefix, float x, float y, int count)
    {
        var ids = Enumerable.Range(0, count).Select(k => $"{prefix}/{k:D3}").ToList();
        foreach (var (id, k) in ids.Select((id, k) => (id, k)))
        {
            _samples[id] = [x + 0.1f * (k % 5), y - 0.1f * (k % 3)];
        }

        return ids;
    }

    /// <summary>Loads a checkpoint (a fitted Gaussian) as an exact denoiser, recording that its file was opened.</summary>
    public IDenoiser Load(ShardManifest manifest, string path)
    {
        OpenedCheckpoints.Add(manifest.Name);
        var fitted = JsonSerializer.Deserialize<double[]>(File.ReadAllText(path))!;
        float[] mean = [.. Enumerable.Repeat((float)fitted[0], 16), .. Enumerable.Repeat((float)fitted[1], 16)];
        return new GaussianShardDenoiser(new GaussianShard(mean, fitted[2], [2, 4, 4]), Schedule);
    }

    public ShardTrainingOutcome Train(string shardName, IReadOnlyList<string> sampleIds, string checkpointPath, CancellationToken cancellationToken)
    {
        if (FailTraining?.Invoke(shardName) == true)
        {
            throw new IOException($"simulated crash while training {shardName}");
        }

        TrainedShards.Add(shardName);
        Fit(checkpointPath, sampleIds);
        return new ShardTrainingOutcome(null, []);
    }

    public JsonElement Config(RouterKind kind, int shards) =>
        JsonSerializer.SerializeToElement(new RouterNetworkConfig(2, kind == RouterKind.Classifier ? shards : 1, BaseChannels: 4, TimeFeatures: 8),
            new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase });

    public void TrainClassifier(IReadOnlyList<IReadOnlyList<string>> shardIds, string path, CancellationToken cancellationToken)
    {
        var sets = shardIds.Select(ids => new RouterTrainingSet(Images(ids))).ToList();
        var network = RouterTrainer.TrainClassifier(sets, Schedule, new RouterNetworkConfig(2, shardIds.Count, 4, 8), new RouterTrainingOptions(Steps: 20, BatchSize: 32));
        network.save(path);
    }

    public void TrainHead(IReadOnlyList<string> shardIds, IReadOnlyList<string> referenceIds, string path, CancellationToken cancellationToken)
    {
        var network = RouterTrainer.TrainDensityRatioHead(
            new RouterTrainingSet(Images(shardIds)), new RouterTrainingSet(Images(referenceIds)), Schedule, new RouterNetworkConfig(2, 1, 4, 8),
            new RouterTrainingOptions(Steps: 20, BatchSize: 32));
        network.save(path);
    }

    public void Dispose()
    {
        if (Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    // Each 2-D point becomes a constant [2,4,4] image: router networks need at least 4x4 inputs.
    private Tensor Images(IReadOnlyList<string> ids) =>
        tensor(ids.SelectMany(id => _samples[id]).ToArray()).reshape(ids.Count, 2, 1, 1).expand(ids.Count, 2, 4, 4).contiguous();

    private void Fit(string path, IReadOnlyList<string> ids)
    {
        var points = ids.Select(id => _samples[id]).ToList();
        var mean = new[] { points.Average(p => p[0]), points.Average(p => p[1]) };
        var variance = Math.Max(1e-3, points.Average(p => (p[0] - mean[0]) * (p[0] - mean[0]) + (p[1] - mean[1]) * (p[1] - mean[1])) / 2);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(new[] { mean[0], mean[1], variance }));
    }
}
