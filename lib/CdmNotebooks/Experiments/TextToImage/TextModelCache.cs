using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CdmNotebooks.Diffusion;
using CdmNotebooks.IO;
using CdmNotebooks.TextToImage;
using static TorchSharp.torch;

namespace CdmNotebooks.Experiments.TextToImage;

/// <summary>E6's trained artifacts (text models, prompt contexts, answerers) cached by the hash of their configuration and training data, so a re-run only evaluates.</summary>
/// <remarks>Each entry is a folder named by its key; the weights (and a model's configuration JSON) are written atomically first and <c>trained.json</c> last, so an interrupted training leaves no entry that looks finished.</remarks>
public sealed class TextModelCache
{
    private const string DoneFile = "trained.json";
    private static readonly JsonSerializerOptions _json = new() { WriteIndented = true };

    /// <summary>Uses <paramref name="root"/> as the folder of entries.</summary>
    public TextModelCache(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
    }

    /// <summary>The folder holding one sub-folder per artifact.</summary>
    public string Root { get; }

    /// <summary>The cache key: sha256 (first 20 hex digits) of the training code revision, the kind, the configuration as JSON, the data identity and the parent's key (the base model of a prompt or of a fine-tuned model).</summary>
    public static string Key(string kind, object configuration, string dataIdentity, string? parentKey = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentException.ThrowIfNullOrEmpty(dataIdentity);
        var text = $"revision {TrainingCode.Revision}\n{kind}\n{configuration.GetType().FullName}\n{JsonSerializer.Serialize(configuration, configuration.GetType())}\n{dataIdentity}\n{parentKey}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..20];
    }

    /// <summary>Whether a finished artifact of <paramref name="key"/> is cached.</summary>
    public bool Contains(string key) => File.Exists(Path.Combine(Root, key, DoneFile));

    /// <summary>The cached text model of <paramref name="config"/> trained on <paramref name="dataIdentity"/>, training it first from <paramref name="data"/> (invoked only then) if absent.</summary>
    public TextArtifact GetOrTrainModel(TextDiffusionConfig config, string dataIdentity, Func<(Tensor Images, IReadOnlyList<string> Captions)> data, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        return GetOrTrain(config, dataIdentity, data, null, log, (images, captions, progress) => TextDiffusionTrainer.Train(config, images, captions, progress));
    }

    /// <summary>The cached model fine-tuned from <paramref name="startArtifact"/> with <paramref name="config"/> on <paramref name="dataIdentity"/>, fine-tuning it first if absent; its key includes the start model's key.</summary>
    /// <remarks><paramref name="loadStart"/> returns the loaded start model, owned by the caller and left unchanged (so one loaded base serves every fine-tuning); it is invoked only when training is needed.</remarks>
    public TextArtifact GetOrFineTuneModel(TextArtifact startArtifact, TextDiffusionConfig config, string dataIdentity, Func<(Tensor Images, IReadOnlyList<string> Captions)> data,
        Func<TextDiffusionModel> loadStart, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(startArtifact);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(loadStart);
        config.Validate();
        return GetOrTrain(config, dataIdentity, data, startArtifact.Key, log,
            (images, captions, progress) => TextDiffusionTrainer.FineTune(config, loadStart(), images, captions, progress));
    }

    /// <summary>The cached prompt context of <paramref name="config"/> for the base model <paramref name="baseArtifact"/> on <paramref name="dataIdentity"/>, tuning it first if absent; records the base's fingerprint before and after tuning.</summary>
    /// <remarks><paramref name="loadBase"/> returns the loaded base model, owned by the caller (so one loaded base serves every shard's tuning); it is invoked only when tuning is needed.</remarks>
    public TextArtifact GetOrTunePrompt(TextArtifact baseArtifact, PromptTuningConfig config, string dataIdentity, Func<(Tensor Images, IReadOnlyList<string> Captions)> data, Func<TextDiffusionModel> loadBase, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(baseArtifact);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(loadBase);
        config.Validate();
        var key = Key("prompt", config, dataIdentity, baseArtifact.Key);
        return Cached(key, log) ?? Finish(key, log, directory =>
        {
            var (images, captions) = data();
            var model = loadBase();
            var before = TextDiffusionCheckpoint.Fingerprint(model);
            var clock = Stopwatch.StartNew();
            using var context = PromptTuner.Tune(model, config, images, captions);
            var seconds = clock.Elapsed.TotalSeconds;
            var after = TextDiffusionCheckpoint.Fingerprint(model);
            var path = Path.Combine(directory, "context.bin");
            TextDiffusionCheckpoint.SaveContext(context, path);
            return new TextArtifact("prompt", key, dataIdentity, config.TrainSteps, seconds, path, FromCache: false, before, after, baseArtifact.Key);
        });
    }

    /// <summary>The cached answerer (cell classifier) of <paramref name="config"/> on <paramref name="dataIdentity"/>, training it first if absent.</summary>
    public TextArtifact GetOrTrainAnswerer(CellClassifierConfig config, string dataIdentity, Func<(Tensor Images, IReadOnlyList<long> CellCategories)> data, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(data);
        config.Validate();
        var key = Key("answerer", config, dataIdentity);
        return Cached(key, log) ?? Finish(key, log, directory =>
        {
            var (images, categories) = data();
            var clock = Stopwatch.StartNew();
            using var classifier = CellClassifierTrainer.Train(config, images, categories);
            var seconds = clock.Elapsed.TotalSeconds;
            var path = Path.Combine(directory, "classifier.bin");
            classifier.Save(path);
            return new TextArtifact("answerer", key, dataIdentity, config.TrainSteps, seconds, path, FromCache: false);
        });
    }

    private TextArtifact GetOrTrain(TextDiffusionConfig config, string dataIdentity, Func<(Tensor Images, IReadOnlyList<string> Captions)> data, string? parentKey,
        Action<string>? log, Func<Tensor, IReadOnlyList<string>, Action<int, double>, TextDiffusionModel> train)
    {
        ArgumentNullException.ThrowIfNull(data);
        var key = Key("model", config, dataIdentity, parentKey);
        return Cached(key, log) ?? Finish(key, log, directory =>
        {
            var (images, captions) = data();
            var clock = Stopwatch.StartNew();
            var every = Math.Max(1, config.TrainSteps / 4);
            using var model = train(images, captions, (step, loss) => { if (step % every == 0) log?.Invoke($"    step {step}/{config.TrainSteps} loss {loss:F4}"); });
            var seconds = clock.Elapsed.TotalSeconds;
            var path = Path.Combine(directory, "model.bin");
            TextDiffusionCheckpoint.Save(model, path);
            return new TextArtifact("model", key, dataIdentity, config.TrainSteps, seconds, path, FromCache: false, ParentKey: parentKey);
        });
    }

    private TextArtifact? Cached(string key, Action<string>? log)
    {
        var directory = Path.Combine(Root, key);
        var done = Path.Combine(directory, DoneFile);
        if (!File.Exists(done))
        {
            return null;
        }

        var cached = JsonSerializer.Deserialize<TextArtifact>(File.ReadAllText(done), _json)
                     ?? throw new InvalidDataException($"{done} is empty; delete the folder {directory} to retrain.");
        if (cached.Key != key)
        {
            throw new InvalidDataException($"{done} records key {cached.Key} but sits in folder {key}; delete the folder to retrain.");
        }

        log?.Invoke($"  cached {cached.Kind} {key} ({cached.TrainSteps} steps, trained in {cached.TrainSeconds:F0} s)");
        // The folder may have moved with the cache; the weights are beside trained.json.
        return cached with { Path = Path.Combine(directory, Path.GetFileName(cached.Path)), FromCache = true };
    }

    private TextArtifact Finish(string key, Action<string>? log, Func<string, TextArtifact> train)
    {
        var directory = Path.Combine(Root, key);
        Directory.CreateDirectory(directory);
        log?.Invoke($"  training {key}");
        var artifact = train(directory);
        AtomicFile.WriteAllText(Path.Combine(directory, DoneFile), JsonSerializer.Serialize(artifact, _json) + "\n");
        return artifact;
    }
}
