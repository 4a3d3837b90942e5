using System.Text.Json;
using CdmNotebooks.Composition;
using CdmNotebooks.Composition.Registry;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.Protection;

/// <summary>The real <see cref="IRouterMaintainer"/>: trains router networks on dataset images looked up by sample ID.</summary>
public sealed class ImageRouterMaintainer : IRouterMaintainer
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    private readonly LabeledImages _data;
    private readonly LabeledImages _reference;
    private readonly NoiseSchedule _schedule;
    private readonly RouterNetworkConfig _network;
    private readonly RouterTrainingOptions _training;
    private readonly Device? _device;

    /// <summary>Trains on <paramref name="data"/> (shard samples) against <paramref name="reference"/> (the public reference set); neither is owned.</summary>
    public ImageRouterMaintainer(LabeledImages data, LabeledImages reference, NoiseSchedule schedule, RouterNetworkConfig network, RouterTrainingOptions training, Device? device = null)
    {
        _data = data ?? throw new ArgumentNullException(nameof(data));
        _reference = reference ?? throw new ArgumentNullException(nameof(reference));
        _schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
        _network = network ?? throw new ArgumentNullException(nameof(network));
        _training = training ?? throw new ArgumentNullException(nameof(training));
        _device = device;
        ReferenceIds = reference.Ids;
    }

    /// <inheritdoc />
    public IReadOnlyList<string> ReferenceIds { get; }

    /// <inheritdoc />
    public JsonElement Config(RouterKind kind, int shards) =>
        JsonSerializer.SerializeToElement(_network with { Outputs = kind == RouterKind.Classifier ? shards : 1 }, Json);

    /// <inheritdoc />
    public void TrainClassifier(IReadOnlyList<IReadOnlyList<string>> shardIds, string path, CancellationToken cancellationToken)
    {
        var subsets = shardIds.Select(ids => _data.SelectIds(ids)).ToList();
        var sets = subsets.Select(s => new RouterTrainingSet(s.Images, s.LabelTensor())).ToList();
        try
        {
            var network = RouterTrainer.TrainClassifier(sets, _schedule, _network with { Outputs = shardIds.Count }, _training, _device, cancellationToken: cancellationToken);
            network.save(path);
        }
        finally
        {
            sets.ForEach(s => s.Labels?.Dispose());
            subsets.ForEach(s => s.Dispose());
        }
    }

    /// <inheritdoc />
    public void TrainHead(IReadOnlyList<string> shardIds, IReadOnlyList<string> referenceIds, string path, CancellationToken cancellationToken)
    {
        using var shard = _data.SelectIds(shardIds);
        using var reference = _reference.SelectIds(referenceIds);
        using var shardLabels = shard.LabelTensor();
        using var referenceLabels = reference.LabelTensor();
        var network = RouterTrainer.TrainDensityRatioHead(
            new RouterTrainingSet(shard.Images, shardLabels), new RouterTrainingSet(reference.Images, referenceLabels), _schedule,
            _network with { Outputs = 1 }, _training, _device, cancellationToken: cancellationToken);
        network.save(path);
    }
}
