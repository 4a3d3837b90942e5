using System.Diagnostics;
using CdmNotebooks.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace CdmNotebooks.Evaluation;

/// <summary>Trains a CdmNet on a training part and measures it on a held-out part, reproducibly from the config's seed.</summary>
public static class CdmNetTrainer
{
    /// <summary>Trains a new network on <paramref name="train"/> and scores it on <paramref name="heldOut"/>; the returned network is in eval mode.</summary>
    public static (CdmNet Network, CdmNetTrainingResult Result) Train(
        CdmNetConfig config, LabeledImages train, LabeledImages heldOut, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(heldOut);
        var trainTargets = CdmNetLabels.For(train, config.Dataset);
        var heldOutTargets = CdmNetLabels.For(heldOut, config.Dataset);
        var (network, losses, seconds) = TrainOn(config, train.Images, trainTargets, log);
        var accuracy = Accuracy(network, heldOut.Images, heldOutTargets);
        log?.Invoke($"held-out accuracy {accuracy:P2} on {heldOut.Count} images of {heldOut.Dataset}/{heldOut.Part}");
        return (network, new CdmNetTrainingResult(accuracy, heldOut.Count, train.Count, losses, seconds));
    }

    /// <summary>Trains on raw tensors: <paramref name="images"/> [N,1,28,28] in [-1,1] with integer <paramref name="targets"/>.</summary>
    internal static (CdmNet Network, IReadOnlyList<double> EpochLosses, double Seconds) TrainOn(
        CdmNetConfig config, Tensor images, long[] targets, Action<string>? log)
    {
        FeatureChecks.RequireImages(images, nameof(images));
        if (targets.Length != images.shape[0])
        {
            throw new ArgumentException($"Got {targets.Length} targets for {images.shape[0]} images.", nameof(targets));
        }

        if (targets.Any(t => t < 0 || t >= config.Classes))
        {
            throw new ArgumentException($"Targets must lie in 0..{config.Classes - 1} for a {config.Classes}-class CdmNet.", nameof(targets));
        }

        var stepsPerEpoch = (int)((images.shape[0] + config.BatchSize - 1) / config.BatchSize);
        if (stepsPerEpoch * config.Epochs < 10)
        {
            // The one-cycle schedule needs room for its warm-up and decay phases; a handful of steps yields NaN rates.
            throw new ArgumentException(
                $"{images.shape[0]} images x {config.Epochs} epochs at batch {config.BatchSize} give {stepsPerEpoch * config.Epochs} steps; at least 10 are needed. Raise Epochs or lower BatchSize.");
        }

        var stopwatch = Stopwatch.StartNew();
        torch.manual_seed(config.Seed);
        var network = new CdmNet(config);
        network.train();
        var n = images.shape[0];
        using var optimizer = optim.AdamW(network.parameters(), config.MaxLearningRate, weight_decay: config.WeightDecay);
        var schedule = optim.lr_scheduler.OneCycleLR(optimizer, config.MaxLearningRate, total_steps: stepsPerEpoch * config.Epochs);
        using var generator = new Generator((ulong)config.Seed);
        using var targetTensor = tensor(targets, ScalarType.Int64);
        var losses = new List<double>();
        for (var epoch = 0; epoch < config.Epochs; epoch++)
        {
            using var order = randperm(n, generator: generator);
            var lossSum = 0.0;
            for (var step = 0; step < stepsPerEpoch; step++)
            {
                using var scope = NewDisposeScope();
                var index = order.narrow(0, (long)step * config.BatchSize, Math.Min(config.BatchSize, n - (long)step * config.BatchSize));
                var batch = Augment(images.index_select(0, index), config, generator);
                var loss = nn.functional.cross_entropy(network.forward(batch), targetTensor.index_select(0, index));
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                schedule.step();
                var value = loss.item<float>();
                if (!float.IsFinite(value))
                {
                    throw new InvalidOperationException(
                        $"CdmNet training diverged (loss {value}) at epoch {epoch + 1}, step {step + 1}. Lower MaxLearningRate or check the images for NaN.");
                }

                lossSum += value;
            }

            losses.Add(lossSum / stepsPerEpoch);
            log?.Invoke($"epoch {epoch + 1}/{config.Epochs}: train loss {losses[^1]:F4} ({stopwatch.Elapsed.TotalSeconds:F0} s)");
        }

        network.eval();
        return (network, losses, stopwatch.Elapsed.TotalSeconds);
    }

    /// <summary>Top-1 accuracy of <paramref name="network"/> on images [N,1,28,28] with integer targets, in eval mode.</summary>
    public static double Accuracy(CdmNet network, Tensor images, long[] targets)
    {
        ArgumentNullException.ThrowIfNull(network);
        var correct = 0L;
        var n = images.shape[0];
        network.eval();
        using var noGrad = no_grad();
        using var targetTensor = tensor(targets, ScalarType.Int64);
        for (long start = 0; start < n; start += 1000)
        {
            using var scope = NewDisposeScope();
            var count = Math.Min(1000, n - start);
            var predicted = network.forward(images.narrow(0, start, count)).argmax(1);
            correct += predicted.eq(targetTensor.narrow(0, start, count)).sum().item<long>();
        }

        return (double)correct / n;
    }

    private static Tensor Augment(Tensor batch, CdmNetConfig config, Generator generator)
    {
        var result = batch;
        if (config.HorizontalFlip)
        {
            var flip = rand([batch.shape[0], 1, 1, 1], generator: generator).lt(0.5);
            result = where(flip, result.flip(3), result);
        }

        if (config.MaxShift > 0)
        {
            // Per-sample translation: pad with the background value -1, then crop a random 28x28 window from each image.
            var s = config.MaxShift;
            var padded = nn.functional.pad(result, [s, s, s, s], value: -1.0);
            var offsets = randint(0, 2 * s + 1, [batch.shape[0], 2], generator: generator).data<long>().ToArray();
            var crops = new Tensor[batch.shape[0]];
            for (var i = 0; i < crops.Length; i++)
            {
                crops[i] = padded[i].narrow(1, offsets[2 * i], 28).narrow(2, offsets[2 * i + 1], 28);
            }

            result = stack(crops);
        }

        return result;
    }
}
