using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.TextToImage;

/// <summary>Prompt tuning of one shard (the paper's "diffusion models (or prompts)"): the base UNet and text encoder stay frozen; only the shard's own context vectors [K, Width] are learned on the shard's data.</summary>
public static class PromptTuner
{
    /// <summary>Learns a context for <paramref name="baseModel"/> from <paramref name="images"/> and <paramref name="captions"/> (the shard's data only); returns the context [K, Width] (caller owns it). The base model's weights are not changed.</summary>
    public static Tensor Tune(TextDiffusionModel baseModel, PromptTuningConfig config, Tensor images, IReadOnlyList<string> captions, Action<int, double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(baseModel);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(captions);
        config.Validate();
        if (images.shape[0] != captions.Count)
        {
            throw new ArgumentException($"Got {images.shape[0]} images and {captions.Count} captions; pass one caption per image.", nameof(captions));
        }

        if (config.ContextTokens > baseModel.Encoder.Config.MaxContextTokens)
        {
            throw new ArgumentException($"PromptTuningConfig.ContextTokens {config.ContextTokens} exceeds the encoder's MaxContextTokens {baseModel.Encoder.Config.MaxContextTokens}.", nameof(config));
        }

        var frozen = baseModel.Parameters().ToArray();
        var wasTrainable = frozen.Select(p => p.requires_grad).ToArray();
        using var generator = new Generator((ulong)config.Seed);
        using var initial = randn([config.ContextTokens, baseModel.Encoder.Config.Width], generator: generator).mul_(0.02);
        using var context = new TorchSharp.Modules.Parameter(initial.clone());
        try
        {
            foreach (var p in frozen)
            {
                p.requires_grad = false;
            }

            // Evaluation mode: the base is a fixed function of the context (no dropout noise in it).
            baseModel.Unet.eval();
            baseModel.Encoder.eval();
            using var tokens = SceneTokenizer.Encode(captions).to(ScalarType.Float32);
            using var optimizer = optim.Adam([context], lr: config.LearningRate);
            var skipped = 0;
            for (var step = 0; step < config.TrainSteps; step++)
            {
                using var scope = NewDisposeScope();
                var index = randint(images.shape[0], [config.BatchSize], generator: generator, dtype: ScalarType.Int64);
                var conditioning = Diffusion.Conditioning.Embeddings(tokens.index_select(0, index));
                // No caption dropout: the null caption ignores the context, so dropped rows would teach it nothing.
                var loss = baseModel.Loss(images.index_select(0, index), conditioning, generator, 0.0, context);
                optimizer.zero_grad();
                loss.backward();
                var value = loss.item<float>();
                if (!float.IsFinite(value) || !context.grad!.isfinite().all().item<bool>())
                {
                    if (++skipped >= DiffusionTrainer.MaxConsecutiveSkips)
                    {
                        throw new InvalidOperationException($"Prompt tuning hit {skipped} non-finite losses or gradients in a row at step {step + 1}; stopping.");
                    }

                    continue;
                }

                skipped = 0;
                optimizer.step();
                progress?.Invoke(step + 1, value);
            }
        }
        finally
        {
            for (var i = 0; i < frozen.Length; i++)
            {
                frozen[i].requires_grad = wasTrainable[i];
            }
        }

        return context.detach().clone();
    }
}
