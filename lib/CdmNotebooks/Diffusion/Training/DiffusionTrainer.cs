using System.Diagnostics;
using CdmNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CdmNotebooks.Diffusion;

/// <summary>Trains one UNet on one data subset (a shard or everything), class- or text-conditioned, from scratch, fine-tuned from a base checkpoint or prompt-tuned on a frozen base, with AdamW, EMA, gradient clipping, warm-up, optional learning-rate decay and min-SNR weighting, and label or caption dropout; checkpoints atomically and resumes bit-exactly.</summary>
public sealed class DiffusionTrainer : IDisposable
{
    private readonly TrainingData _data;
    private readonly Device _device;
    private readonly PredictionConverter _converter;
    private readonly AdamW _optimizer;
    private readonly Action<string>? _log;
    private int _consecutiveSkips;

    /// <summary>Consecutive non-finite steps after which training stops with an error instead of skipping on.</summary>
    public const int MaxConsecutiveSkips = 10;

    /// <summary>Creates a trainer; when <paramref name="checkpointDirectory"/> holds checkpoints of the same configuration and data, resumes from the newest valid one.</summary>
    /// <remarks><paramref name="baseCheckpoint"/> is the checkpoint of <see cref="TrainingConfig.Base"/>, required exactly when the configuration names a base: its EMA weights become the initial weights and EMA, the optimizer and learning-rate schedule start fresh, and the file is only read.</remarks>
    public DiffusionTrainer(TrainingConfig config, TrainingData data, string? checkpointDirectory = null, Device? device = null, Action<string>? log = null, string? baseCheckpoint = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(data);
        config.Validate();
        if (data.Images.shape[1] != config.Model.ImageChannels || data.Images.shape[2] != config.Model.ImageSize || data.Images.shape[3] != config.Model.ImageSize)
        {
            throw new ArgumentException(
                $"Training images are [{string.Join(",", data.Images.shape)}] but the model expects [N,{config.Model.ImageChannels},{config.Model.ImageSize},{config.Model.ImageSize}].", nameof(data));
        }

        if ((config.Model.TextEncoder is null) != (data.Captions is null))
        {
            throw new ArgumentException(
                config.Model.TextEncoder is null
                    ? "The training data has captions but the model has no text encoder; set UNetConfig.TextEncoder, or train on class-labelled data."
                    : "The model is text-conditioned (UNetConfig.TextEncoder) but the training data has class labels; build it with TrainingData.WithCaptions.", nameof(data));
        }

        Config = config;
        _data = data;
        _device = device ?? TorchDevice.Default;
        _log = log;
        CheckpointDirectory = checkpointDirectory;
        Schedule = config.CreateSchedule();
        _converter = new PredictionConverter(Schedule);

        // Initialization draws from the global generator: seed it so weights depend only on the configuration.
        manual_seed(config.Seed);
        Model = new UNet(config.Model);
        Ema = new UNet(config.Model);
        Model.to(_device);
        Ema.to(_device);
        if (config.Base is not null || baseCheckpoint is not null)
        {
            StartFromBase(config, baseCheckpoint);
        }

        CopyWeights(Model, Ema);
        Ema.eval();
        foreach (var p in Ema.parameters())
        {
            p.requires_grad = false;
        }

        if (config.Trains == TrainedParameters.Prompt)
        {
            foreach (var (name, p) in Model.named_parameters().Where(p => p.name != UNet.PromptParameter))
            {
                p.requires_grad = false;
            }
        }

        _optimizer = optim.AdamW(Trainable(), lr: config.LearningRate, weight_decay: config.WeightDecay);
        if (checkpointDirectory is not null)
        {
            TryResume(checkpointDirectory);
        }
    }

    /// <summary>The immutable configuration.</summary>
    public TrainingConfig Config { get; }

    /// <summary>The schedule the network is trained on.</summary>
    public NoiseSchedule Schedule { get; }

    /// <summary>The trained network (raw weights).</summary>
    public UNet Model { get; }

    /// <summary>The exponential moving average of the weights (what sampling should use).</summary>
    public UNet Ema { get; }

    /// <summary>Optimizer steps completed so far (nonzero after resuming).</summary>
    public int Step { get; private set; }

    /// <summary>Steps whose update was dropped because the loss or gradient was not finite (since this trainer was created).</summary>
    public int SkippedSteps { get; private set; }

    /// <summary>Loss of the most recent step with a finite loss (NaN before the first).</summary>
    public double LastLoss { get; private set; } = double.NaN;

    /// <summary>Where checkpoints go (null = no checkpoints).</summary>
    public string? CheckpointDirectory { get; }

    /// <summary>Path of the newest checkpoint written or resumed from.</summary>
    public string? LatestCheckpoint { get; private set; }

    /// <summary>Analytic training FLOPs per image: forward + backward ~ 3x forward.</summary>
    public long TrainFlopsPerImage => 3 * Model.ForwardFlopsPerSample;

    /// <summary>A denoiser over the EMA weights (shares them; no copy).</summary>
    public UNetDenoiser EmaDenoiser() => new(Ema, Schedule);

    /// <summary>Trains until <see cref="TrainingConfig.TrainSteps"/> (or <paramref name="untilStep"/>); on cancellation finishes the current step, checkpoints and throws.</summary>
    public void Train(Action<TrainingProgress>? progress = null, CancellationToken cancellationToken = default, int? untilStep = null)
    {
        var target = Math.Min(untilStep ?? Config.TrainSteps, Config.TrainSteps);
        var clock = Stopwatch.StartNew();
        var startStep = Step;
        // A prompt is tuned against the base as a fixed function: no dropout noise in the frozen weights.
        if (Config.Trains == TrainedParameters.Prompt)
        {
            Model.eval();
        }
        else
        {
            Model.train();
        }

        while (Step < target)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                SaveCheckpoint();
                cancellationToken.ThrowIfCancellationRequested();
            }

            var loss = TrainStep();
            if (double.IsFinite(loss))
            {
                LastLoss = loss;
            }

            Step++;
            if (Step % Config.CheckpointEvery == 0 || Step == Config.TrainSteps)
            {
                SaveCheckpoint();
            }

            var done = Step - startStep;
            var perStep = clock.Elapsed / done;
            progress?.Invoke(new TrainingProgress(
                Step, Config.TrainSteps, LastLoss, done * (double)Config.BatchSize / clock.Elapsed.TotalSeconds, clock.Elapsed, perStep * (Config.TrainSteps - Step)));
        }

        if (Step < Config.TrainSteps && Step % Config.CheckpointEvery != 0)
        {
            SaveCheckpoint();
        }
    }

    /// <summary>One optimizer step on a batch drawn from the step's own generator; returns the loss, or NaN when a non-finite loss or gradient made it skip the update.</summary>
    public double TrainStep()
    {
        using var scope = NewDisposeScope();
        // Every random draw of step k comes from a generator seeded by (seed, k): resuming at k needs no stored generator state.
        // `using` matters: TorchSharp's Generator passes a raw IntPtr to native code, so an unrooted generator can be finalized
        // (its native object freed) while its last native call still runs.
        using var generator = new Generator((ulong)StepSeed(Config.Seed, Step));
        manual_seed(StepSeed(Config.Seed ^ 0x5DEECE66DL, Step)); // dropout layers use the global generator
        var batch = Config.BatchSize;
        var indices = randint(_data.Count, [batch], generator: generator, dtype: ScalarType.Int64);
        var x0 = _data.Images.index_select(0, indices).to(_device);
        var conditions = (_data.Labels ?? _data.Captions!).index_select(0, indices);
        var t = randint(Schedule.Steps, [batch], generator: generator, dtype: ScalarType.Int64);
        var eps = randn(x0.shape, generator: generator);
        var drop = rand([batch], generator: generator).lt(Config.ClassDropout);
        // A dropped label becomes the null class; a dropped caption becomes all padding, the null caption.
        conditions = _data.Labels is not null
            ? where(drop, full_like(conditions, Conditioning.Unconditional), conditions)
            : where(drop.unsqueeze(1), zeros_like(conditions), conditions).to(ScalarType.Float32);
        conditions = conditions.to(_device);
        t = t.to(_device);
        eps = eps.to(_device);

        var xt = _converter.AddNoise(x0, t, eps);
        var output = _data.Labels is not null
            ? Model.Forward(xt, t, Config.Model.ClassCount > 0 ? conditions : null, null)
            : Model.Forward(xt, t, null, conditions);
        var target = _converter.Target(Config.Model.Prediction, x0, t, eps);
        var loss = Config.MinSnrGamma > 0
            ? ((output - target).square().mean([1, 2, 3]) * MinSnrWeights(t)).mean()
            : nn.functional.mse_loss(output, target);
        _optimizer.zero_grad();
        loss.backward();
        var gradientNorm = nn.utils.clip_grad_norm_(Trainable(), Config.GradClipNorm);
        var lossValue = loss.item<float>();
        if (!double.IsFinite(lossValue) || !double.IsFinite(gradientNorm))
        {
            // One bad kernel result must not poison weights, EMA and optimizer moments: drop the update, as AMP's grad scaler does.
            SkippedSteps++;
            _consecutiveSkips++;
            // Backward runs from the output towards the input, so the last non-finite parameter in module order is nearest the origin.
            var culprits = Model.named_parameters().Where(p => p.parameter.grad is { } g && !g.isfinite().all().item<bool>()).Select(p => p.name).ToArray();
            _log?.Invoke($"step {Step + 1}: non-finite {(double.IsFinite(lossValue) ? "gradient" : "loss")} in {culprits.Length} parameters " +
                $"(nearest the output: {culprits.LastOrDefault() ?? "none"}); update skipped ({SkippedSteps} so far)");
            if (_consecutiveSkips >= MaxConsecutiveSkips)
            {
                throw new InvalidOperationException(
                    $"Training diverged: {MaxConsecutiveSkips} consecutive steps (up to step {Step + 1}) had a non-finite loss or gradient. " +
                    "Lower the learning rate, or check the CPU kernels (CDM_ONEDNN=off switches oneDNN off).");
            }

            _optimizer.zero_grad();
            return double.NaN;
        }

        _consecutiveSkips = 0;
        var lr = Config.LearningRateAt(Step);
        foreach (var group in _optimizer.ParamGroups)
        {
            group.LearningRate = lr;
        }

        _optimizer.step();
        UpdateEma();
        return lossValue;
    }

    /// <summary>Writes a checkpoint for the current step and keeps only it and the previous one.</summary>
    public string? SaveCheckpoint()
    {
        if (CheckpointDirectory is null)
        {
            return null;
        }

        var path = Path.Combine(CheckpointDirectory, Checkpoint.FileName(Step));
        Checkpoint.Save(path, new CheckpointHeader(1, Step, Config, _data.Identity, DateTime.UtcNow, LastLoss), Model, Ema, _optimizer);
        LatestCheckpoint = path;
        // Keep the previous good checkpoint so a crash while writing the next one can never leave zero usable files.
        foreach (var old in Checkpoint.List(CheckpointDirectory).Skip(2))
        {
            File.Delete(old);
        }

        return path;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _optimizer.Dispose();
        Model.Dispose();
        Ema.Dispose();
    }

    private void TryResume(string directory)
    {
        foreach (var path in Checkpoint.List(directory))
        {
            try
            {
                var header = Checkpoint.Restore(path, Config, _data.Identity, Model, Ema, _optimizer);
                Step = header.Step;
                LastLoss = header.LastLoss;
                LatestCheckpoint = path;
                _log?.Invoke($"Resumed from {path} at step {Step}.");
                return;
            }
            catch (CheckpointException e) when (e.Kind == CheckpointErrorKind.Corrupt)
            {
                // A torn or damaged newest file: fall back to the previous good one.
                _log?.Invoke($"Skipping unusable checkpoint: {e.Message}");
            }
        }
    }

    /// <summary>
    /// Min-SNR-gamma weights per sample (Hang et al. 2023, eq. 6-8): the loss on x0 is weighted by min(SNR, gamma); expressed on the network's own
    /// target that is min(SNR, gamma) / SNR for eps, min(SNR, gamma) / (SNR + 1) for v and min(SNR, gamma) for x0, with SNR = abar / (1 - abar).
    /// </summary>
    private Tensor MinSnrWeights(Tensor t)
    {
        var abar = tensor(Schedule.AlphasCumprod, ScalarType.Float32, t.device).index_select(0, t);
        var snr = abar / (1 - abar);
        var clipped = snr.clamp_max(Config.MinSnrGamma);
        return Config.Model.Prediction switch
        {
            PredictionKind.Epsilon => clipped / snr,
            PredictionKind.V => clipped / (snr + 1),
            _ => clipped,
        };
    }

    private void StartFromBase(TrainingConfig config, string? baseCheckpoint)
    {
        if (config.Base is null)
        {
            throw new ArgumentException($"A base checkpoint ({baseCheckpoint}) was given but the configuration names no base; set TrainingConfig.Base = BaseLineage.Of(header).", nameof(baseCheckpoint));
        }

        if (baseCheckpoint is null)
        {
            throw new ArgumentException($"The configuration is fine-tuned from base {config.Base.Key} ({config.Base.Data}) but no base checkpoint was given.", nameof(baseCheckpoint));
        }

        var header = Checkpoint.ReadHeader(baseCheckpoint);
        var lineage = BaseLineage.Of(header);
        if (lineage != config.Base)
        {
            throw new ArgumentException(
                $"{baseCheckpoint} holds model {lineage.Key} trained on {lineage.Data}, not the configuration's base {config.Base.Key} ({config.Base.Data}). Pass that base's checkpoint.", nameof(baseCheckpoint));
        }

        var mismatch = BaseCompatibility.Mismatch(header.Config, config);
        if (mismatch is not null)
        {
            throw new ArgumentException($"Cannot fine-tune from {baseCheckpoint}: {mismatch}. Fine-tune with the base's architecture, prediction kind and noise schedule.", nameof(baseCheckpoint));
        }

        Checkpoint.LoadEmaWeights(baseCheckpoint, Model);
        _log?.Invoke($"Starting from the EMA weights of base {lineage.Key} ({lineage.Data}).");
    }

    private void UpdateEma()
    {
        var decay = Math.Min(Config.EmaDecay, (1.0 + Step) / (10.0 + Step));
        using var noGrad = no_grad();
        // Frozen weights are skipped, not averaged with themselves: x*d + x*(1-d) is not always x in float, and a frozen base must stay bit-identical.
        foreach (var (ema, raw) in Ema.parameters().Zip(Model.parameters()).Where(p => p.Second.requires_grad))
        {
            ema.mul_(decay).add_(raw, alpha: 1.0 - decay);
        }
    }

    private IEnumerable<Parameter> Trainable() => Model.parameters().Where(p => p.requires_grad);

    private static void CopyWeights(UNet from, UNet to)
    {
        using var noGrad = no_grad();
        foreach (var (target, source) in to.parameters().Zip(from.parameters()))
        {
            target.copy_(source);
        }
    }

    /// <summary>SplitMix64 of (seed, step): decorrelated per-step seeds from one run seed.</summary>
    private static long StepSeed(long seed, long step)
    {
        unchecked
        {
            var z = (ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)step + 1;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return (long)((z ^ (z >> 31)) & 0x7FFFFFFFFFFFFFFFUL);
        }
    }
}
