using CdmNotebooks.Diffusion;
using TorchSharp;
using static TorchSharp.torch;

namespace CdmNotebooks.Composition;

/// <summary>Trains router networks on noised data: the shard classifier over all shards, and one density-ratio head per shard versus a reference set.</summary>
public static class RouterTrainer
{
    /// <summary>Trains a classifier predicting which of <paramref name="shards"/> a noised sample x_t came from (samples drawn in proportion to shard sizes).</summary>
    public static RouterNetwork TrainClassifier(
        IReadOnlyList<RouterTrainingSet> shards, NoiseSchedule schedule, RouterNetworkConfig config, RouterTrainingOptions options,
        Device? device = null, Action<int, double>? onProgress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(shards);
        if (shards.Count < 2 || config.Outputs != shards.Count)
        {
            throw new ArgumentException($"A shard classifier needs at least 2 shards and one output per shard; got {shards.Count} shards, {config.Outputs} outputs.", nameof(config));
        }

        using var images = cat(shards.Select(s => s.Images).ToArray(), 0);
        using var targets = cat(shards.Select((s, i) => full(s.Count, (long)i, ScalarType.Int64)).ToArray(), 0);
        using var labels = config.Classes > 0 ? AllLabels(shards) : null;
        return Train(schedule, config, options, device, onProgress, cancellationToken, (generator, batch) =>
        {
            var index = randint(images.shape[0], [batch], generator: generator);
            return (images.index_select(0, index), labels?.index_select(0, index), targets.index_select(0, index));
        }, (logits, target) => nn.functional.cross_entropy(logits, target));
    }

    /// <summary>Trains a head whose logit estimates log p_t^shard(x) - log p_t^reference(x) by balanced logistic regression of shard (1) against reference (0).</summary>
    public static RouterNetwork TrainDensityRatioHead(
        RouterTrainingSet shard, RouterTrainingSet reference, NoiseSchedule schedule, RouterNetworkConfig config, RouterTrainingOptions options,
        Device? device = null, Action<int, double>? onProgress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(shard);
        ArgumentNullException.ThrowIfNull(reference);
        if (config.Outputs != 1)
        {
            throw new ArgumentException($"A density-ratio head has 1 output; the configuration asks for {config.Outputs}.", nameof(config));
        }

        if (config.Classes > 0 && (shard.Labels is null || reference.Labels is null))
        {
            throw new ArgumentException("A class-conditioned head needs labels for both its shard and the reference set.", nameof(config));
        }

        return Train(schedule, config, options, device, onProgress, cancellationToken, (generator, batch) =>
        {
            var half = batch / 2;
            var positive = randint(shard.Count, [half], generator: generator);
            var negative = randint(reference.Count, [batch - half], generator: generator);
            var x0 = cat([shard.Images.index_select(0, positive), reference.Images.index_select(0, negative)], 0);
            var y = cat([ones(half), zeros(batch - half)], 0).unsqueeze(1);
            var labels = config.Classes > 0 ? cat([shard.Labels!.index_select(0, positive), reference.Labels!.index_select(0, negative)], 0) : null;
            return (x0, labels, y);
        }, (logits, y) => nn.functional.binary_cross_entropy_with_logits(logits, y));
    }

    private static RouterNetwork Train(
        NoiseSchedule schedule, RouterNetworkConfig config, RouterTrainingOptions options, Device? device,
        Action<int, double>? onProgress, CancellationToken cancellationToken,
        Func<Generator, int, (Tensor X0, Tensor? Labels, Tensor Target)> drawBatch,
        Func<Tensor, Tensor, Tensor> loss)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Steps < 1 || options.BatchSize < 2 || !(options.LearningRate > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"Router training needs steps >= 1, batch >= 2 and a positive learning rate; got {options}.");
        }

        var target = device ?? CPU;
        var network = new RouterNetwork(config);
        network.to(target);
        network.train();
        using var optimizer = optim.Adam(network.parameters(), options.LearningRate);
        using var generator = new Generator((ulong)options.Seed);
        var converter = new PredictionConverter(schedule);
        for (var step = 0; step < options.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var (x0, labels, y) = drawBatch(generator, options.BatchSize);
            var batch = x0.shape[0];
            var t = randint(schedule.Steps, [batch], generator: generator);
            var eps = randn(x0.shape, generator: generator);
            if (labels is not null && options.LabelDropout > 0)
            {
                var drop = rand([batch], generator: generator).lt(options.LabelDropout);
                labels = labels.masked_fill(drop, Conditioning.Unconditional);
            }

            var xt = converter.AddNoise(x0, t, eps).to(target);
            var value = loss(network.forward(xt, t.to(target), labels?.to(target)), y.to(target));
            optimizer.zero_grad();
            value.backward();
            optimizer.step();
            if (onProgress is not null && (step % 100 == 0 || step == options.Steps - 1))
            {
                onProgress(step, value.item<float>());
            }
        }

        network.eval();
        return network;
    }

    private static Tensor AllLabels(IReadOnlyList<RouterTrainingSet> shards)
    {
        if (shards.Any(s => s.Labels is null))
        {
            throw new ArgumentException("A class-conditioned router needs labels for every shard's images.", nameof(shards));
        }

        return cat(shards.Select(s => s.Labels!.to(ScalarType.Int64)).ToArray(), 0);
    }
}
