using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.TextToImage;

/// <summary>Full training of a text-conditioned model (UNet and text encoder jointly, AdamW, caption dropout) from scratch or from a start model: the monolithic model, a shard model, or the frozen base of prompt tuning.</summary>
public static class TextDiffusionTrainer
{
    /// <summary>Trains a fresh model of <paramref name="config"/> on <paramref name="images"/> [N,1,S,S] with one caption each; <paramref name="progress"/> gets (step, loss).</summary>
    public static TextDiffusionModel Train(TextDiffusionConfig config, Tensor images, IReadOnlyList<string> captions, Action<int, double>? progress = null)
    {
        CheckData(images, captions);
        var model = new TextDiffusionModel(config);
        try
        {
            Optimize(model, images, captions, progress);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Fine-tunes a copy of <paramref name="start"/> (left unchanged) for <paramref name="config"/>'s steps on <paramref name="images"/> with one caption each; returns the new model, which carries <paramref name="config"/>.</summary>
    /// <remarks><paramref name="config"/> must describe <paramref name="start"/>'s networks and schedule; only the optimizer settings (steps, batch, learning rate, caption dropout, seed) may differ.</remarks>
    public static TextDiffusionModel FineTune(TextDiffusionConfig config, TextDiffusionModel start, Tensor images, IReadOnlyList<string> captions, Action<int, double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(start);
        CheckData(images, captions);
        var architecture = start.Config with
        {
            BatchSize = config.BatchSize, TrainSteps = config.TrainSteps, LearningRate = config.LearningRate, CaptionDropout = config.CaptionDropout, Seed = config.Seed,
        };
        if (Json(architecture) != Json(config))
        {
            throw new ArgumentException("FineTune: the configuration's networks or schedule differ from the start model's. Fine-tune with the start model's configuration, " +
                                        $"changing only BatchSize, TrainSteps, LearningRate, CaptionDropout or Seed.\nstart: {Json(start.Config)}\ngiven: {Json(config)}", nameof(config));
        }

        var model = new TextDiffusionModel(config);
        try
        {
            using (no_grad())
            {
                model.Unet.load_state_dict(start.Unet.state_dict());
                model.Encoder.load_state_dict(start.Encoder.state_dict());
            }

            Optimize(model, images, captions, progress);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static string Json(TextDiffusionConfig config) => System.Text.Json.JsonSerializer.Serialize(config);

    private static void CheckData(Tensor images, IReadOnlyList<string> captions)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(captions);
        if (images.shape[0] != captions.Count)
        {
            throw new ArgumentException($"Got {images.shape[0]} images and {captions.Count} captions; pass one caption per image.", nameof(captions));
        }
    }

    /// <summary>AdamW with gradient clipping for the model's configured steps, from a fresh optimizer state.</summary>
    private static void Optimize(TextDiffusionModel model, Tensor images, IReadOnlyList<string> captions, Action<int, double>? progress)
    {
        var config = model.Config;
        using var tokens = SceneTokenizer.Encode(captions).to(ScalarType.Float32);
        using var optimizer = optim.AdamW(model.Parameters(), lr: config.LearningRate, weight_decay: 1e-4);
        using var generator = new Generator((ulong)config.Seed);
        model.Unet.train();
        model.Encoder.train();
        var skipped = 0;
        for (var step = 0; step < config.TrainSteps; step++)
        {
            using var scope = NewDisposeScope();
            var index = randint(images.shape[0], [config.BatchSize], generator: generator, dtype: ScalarType.Int64);
            var conditioning = Diffusion.Conditioning.Embeddings(tokens.index_select(0, index));
            var loss = model.Loss(images.index_select(0, index), conditioning, generator, config.CaptionDropout);
            optimizer.zero_grad();
            loss.backward();
            var norm = nn.utils.clip_grad_norm_(model.Parameters(), 1.0);
            var value = loss.item<float>();
            // Like DiffusionTrainer: a non-finite loss or gradient (seen with AVX-512 conv backward) skips the update instead of poisoning the weights.
            if (!float.IsFinite(value) || !double.IsFinite(norm))
            {
                if (++skipped >= DiffusionTrainer.MaxConsecutiveSkips)
                {
                    throw new InvalidOperationException($"Text diffusion training hit {skipped} non-finite losses or gradients in a row at step {step + 1}; stopping (check the CPU ISA cap in TorchRuntime).");
                }

                continue;
            }

            skipped = 0;
            optimizer.step();
            progress?.Invoke(step + 1, value);
        }

        model.Unet.eval();
        model.Encoder.eval();
    }
}
