using CdmNotebooks.Diffusion;
using CdmNotebooks.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace CdmNotebooks.Composition;

/// <summary>The model-soup baseline (Diffusion Soup, Biggs et al. 2024): one network whose weights are the lambda-weighted average of shards fine-tuned from one base.</summary>
/// <remarks>
/// Averaging weights is meaningful only for networks that stay in one basin, i.e. fine-tuned from the same start; shards trained from
/// scratch or from different bases are refused. The soup is derived from the shards at composition time, so forgetting a shard (or
/// retraining one) re-averages the remaining ones and the soup holds exactly the data its shards and their base hold.
/// </remarks>
public static class ModelSoup
{
    /// <summary>Averages the EMA weights of <paramref name="checkpoints"/> with weights <paramref name="lambda"/> (normalized to sum to 1) into one denoiser.</summary>
    public static UNetDenoiser Average(IReadOnlyList<string> checkpoints, IReadOnlyList<double> lambda, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        ArgumentNullException.ThrowIfNull(lambda);
        if (checkpoints.Count == 0 || checkpoints.Count != lambda.Count)
        {
            throw new ArgumentException($"A soup needs one weight per shard checkpoint; got {checkpoints.Count} checkpoints and {lambda.Count} weights.", nameof(lambda));
        }

        if (lambda.Any(w => !(w >= 0)) || !(lambda.Sum() > 0))
        {
            throw new ArgumentException($"Soup weights must be non-negative with a positive sum; got [{string.Join(", ", lambda)}].", nameof(lambda));
        }

        var headers = checkpoints.Select(Checkpoint.ReadHeader).ToArray();
        Refuse(checkpoints, headers);
        var total = lambda.Sum();
        var soup = new UNet(headers[0].Config.Model);
        using var part = new UNet(headers[0].Config.Model);
        using (no_grad())
        {
            foreach (var p in soup.parameters())
            {
                p.zero_();
            }

            for (var i = 0; i < checkpoints.Count; i++)
            {
                Checkpoint.LoadEmaWeights(checkpoints[i], part);
                foreach (var (target, source) in soup.parameters().Zip(part.parameters()))
                {
                    target.add_(source, alpha: lambda[i] / total);
                }
            }
        }

        soup.to(device ?? TorchDevice.Default);
        return new UNetDenoiser(soup, headers[0].Config.CreateSchedule());
    }

    /// <summary>Null when the checkpoints can be averaged; otherwise why not (the first shard that was trained from scratch, from another base, or with another architecture).</summary>
    public static string? WhyNot(IReadOnlyList<string> checkpoints, IReadOnlyList<CheckpointHeader> headers)
    {
        ArgumentNullException.ThrowIfNull(checkpoints);
        ArgumentNullException.ThrowIfNull(headers);
        var first = headers[0].Config.Base;
        for (var i = 0; i < headers.Count; i++)
        {
            var lineage = headers[i].Config.Base;
            if (lineage is null)
            {
                return $"{checkpoints[i]} was trained from scratch; a soup averages only shards fine-tuned from one base (Diffusion Soup)";
            }

            if (first is null || lineage.Key != first.Key)
            {
                return $"{checkpoints[i]} was fine-tuned from base {lineage.Key} ({lineage.Data}) but {checkpoints[0]} from base {first?.Key} ({first?.Data}); a soup averages only shards of one base";
            }

            var mismatch = BaseCompatibility.Mismatch(headers[0].Config, headers[i].Config);
            if (mismatch is not null)
            {
                return $"{checkpoints[i]} cannot be averaged with {checkpoints[0]}: {mismatch}";
            }
        }

        return null;
    }

    private static void Refuse(IReadOnlyList<string> checkpoints, IReadOnlyList<CheckpointHeader> headers)
    {
        var why = WhyNot(checkpoints, headers);
        if (why is not null)
        {
            throw new InvalidOperationException($"Cannot make a model soup: {why}.");
        }
    }
}
