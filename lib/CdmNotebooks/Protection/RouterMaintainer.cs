using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CdmNotebooks.Composition;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using CdmNotebooks.IO;
using static TorchSharp.torch;

namespace CdmNotebooks.Protection;

/// <summary>
/// The registry's one <see cref="IRouterMaintainer"/>: trains classifiers and density-ratio heads per <see cref="RouterRecipe"/> on dataset
/// images looked up by sample ID, against the reference set <see cref="RouterReference"/> gives for the seed. With a cache folder, a part
/// trained before on the same data and recipe is reused with its measured train time (experiments re-run; a registry is rebuilt).
/// </summary>
public sealed class RouterMaintainer : IRouterMaintainer
{
    private static readonly JsonSerializerOptions CamelCase = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    private readonly LabeledImages _train;
    private readonly LabeledImages _heldOut;
    private readonly int _seed;
    private readonly NoiseSchedule _schedule;
    private readonly RouterNetworkConfig _size;
    private readonly RouterTrainingOptions _budget;
    private readonly Device? _device;
    private readonly string? _cacheRoot;
    private readonly Action<string>? _log;
    private readonly List<RouterTraining> _trainings = [];

    /// <summary>Trains on shard samples of <paramref name="train"/> against the reference part of <paramref name="heldOut"/> (the dataset's test part); neither is owned.</summary>
    public RouterMaintainer(
        LabeledImages train, LabeledImages heldOut, int seed, NoiseSchedule schedule, RouterNetworkConfig size, RouterTrainingOptions budget, Device? device = null,
        string? cacheRoot = null, Action<string>? log = null)
    {
        _train = train ?? throw new ArgumentNullException(nameof(train));
        _heldOut = heldOut ?? throw new ArgumentNullException(nameof(heldOut));
        _seed = seed;
        _schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
        _size = size ?? throw new ArgumentNullException(nameof(size));
        _budget = budget ?? throw new ArgumentNullException(nameof(budget));
        _device = device;
        _cacheRoot = cacheRoot;
        _log = log;
        ReferenceIds = RouterReference.Indices(heldOut.Count, seed).Select(i => heldOut.Ids[i]).ToList();
    }

    /// <inheritdoc />
    public IReadOnlyList<string> ReferenceIds { get; }

    /// <summary>Every router part training requested, in call order (cached ones carry their original train time).</summary>
    public IReadOnlyList<RouterTraining> Trainings => _trainings;

    /// <inheritdoc />
    public JsonElement Config(RouterKind kind, int shards) => JsonSerializer.SerializeToElement(RouterRecipe.Network(_size, kind, shards), CamelCase);

    /// <inheritdoc />
    public void TrainClassifier(IReadOnlyList<IReadOnlyList<string>> shardIds, string path, CancellationToken cancellationToken)
    {
        var config = RouterRecipe.Network(_size, RouterKind.Classifier, shardIds.Count);
        var options = RouterRecipe.Training(_budget, RouterKind.Classifier, _seed);
        Train(RouterKind.Classifier, config, options, shardIds.Select(ids => DataIdentity.Of(ids)).ToList(), path, () =>
        {
            var subsets = shardIds.Select(ids => _train.SelectIds(ids)).ToList();
            var sets = subsets.Select(s => new RouterTrainingSet(s.Images, s.LabelTensor())).ToList();
            try
            {
                return RouterTrainer.TrainClassifier(sets, _schedule, config, options, _device, cancellationToken: cancellationToken);
            }
            finally
            {
                sets.ForEach(s => s.Labels?.Dispose());
                subsets.ForEach(s => s.Dispose());
            }
        });
    }

    /// <inheritdoc />
    public void TrainHead(IReadOnlyList<string> shardIds, IReadOnlyList<string> referenceIds, string path, CancellationToken cancellationToken)
    {
        var config = RouterRecipe.Network(_size, RouterKind.Compartmentalized, 1);
        var options = RouterRecipe.Training(_budget, RouterKind.Compartmentalized, _seed);
        Train(RouterKind.Compartmentalized, config, options, [DataIdentity.Of(shardIds), DataIdentity.Of(referenceIds)], path, () =>
        {
            using var shard = _train.SelectIds(shardIds);
            using var reference = _heldOut.SelectIds(referenceIds);
            using var shardLabels = shard.LabelTensor();
            using var referenceLabels = reference.LabelTensor();
            return RouterTrainer.TrainDensityRatioHead(new RouterTrainingSet(shard.Images, shardLabels), new RouterTrainingSet(reference.Images, referenceLabels),
                _schedule, config, options, _device, cancellationToken: cancellationToken);
        });
    }

    private void Train(RouterKind kind, RouterNetworkConfig config, RouterTrainingOptions options, IReadOnlyList<string> identities, string path, Func<RouterNetwork> train)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n",
            [kind.Name(), JsonSerializer.Serialize(config), JsonSerializer.Serialize(options), _schedule.Kind + _schedule.Steps, .. identities]))))[..20];
        var weights = _cacheRoot is null ? null : Path.Combine(_cacheRoot, key + ".bin");
        var record = _cacheRoot is null ? null : Path.Combine(_cacheRoot, key + ".json");
        if (record is not null && File.Exists(record) && File.Exists(weights))
        {
            var cached = JsonSerializer.Deserialize<RouterTraining>(File.ReadAllText(record), CamelCase)!;
            File.Copy(weights, path, overwrite: false);
            _trainings.Add(cached with { FromCache = true });
            return;
        }

        var clock = Stopwatch.StartNew();
        using var network = train();
        var seconds = clock.Elapsed.TotalSeconds;
        var training = new RouterTraining(kind, identities.Count, options.Steps, seconds, FromCache: false);
        _trainings.Add(training);
        _log?.Invoke($"  trained {kind.Name()} router part over {identities.Count} data set(s) in {seconds:F1} s");
        if (weights is null)
        {
            network.save(path);
            return;
        }

        Directory.CreateDirectory(_cacheRoot!);
        var staging = weights + ".tmp";
        network.save(staging);
        File.Move(staging, weights, overwrite: true);
        AtomicFile.WriteAllText(record!, JsonSerializer.Serialize(training, CamelCase));
        File.Copy(weights, path, overwrite: false);
    }
}
