using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CdmNotebooks.IO;
using CdmNotebooks.TextToImage;
using static TorchSharp.torch;

namespace CdmNotebooks.Experiments.TextToImage;

/// <summary>E6's answerer (the cell classifier behind the TIFA-style questions) cached by its configuration and training scenes, so a re-run only evaluates.</summary>
/// <remarks>An evaluation network, like CdmNet's feature networks, not a diffusion model: the diffusion models of E6 train and cache through <see cref="ModelCache"/>.
/// The weights are written atomically first and <c>trained.json</c> last, so an interrupted training leaves no entry that looks finished.</remarks>
public sealed class AnswererCache(string root)
{
    private const string DoneFile = "trained.json";
    private static readonly JsonSerializerOptions _json = new() { WriteIndented = true };

    /// <summary>The folder holding one sub-folder per answerer.</summary>
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>The cached answerer of <paramref name="config"/> trained on <paramref name="dataIdentity"/>, training it first from <paramref name="data"/> (invoked only then) if absent.</summary>
    public Answerer GetOrTrain(CellClassifierConfig config, string dataIdentity, Func<(Tensor Images, IReadOnlyList<long> CellCategories)> data, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(data);
        config.Validate();
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"answerer\n{JsonSerializer.Serialize(config)}\n{dataIdentity}")))[..20];
        var directory = Path.Combine(Root, key);
        var done = Path.Combine(directory, DoneFile);
        if (File.Exists(done))
        {
            var cached = JsonSerializer.Deserialize<Answerer>(File.ReadAllText(done), _json)
                         ?? throw new InvalidDataException($"{done} is empty; delete the folder {directory} to retrain.");
            log?.Invoke($"  cached answerer {key} ({cached.TrainSteps} steps, trained in {cached.TrainSeconds:F0} s)");
            // The folder may have moved with the cache; the weights are beside trained.json.
            return cached with { Path = Path.Combine(directory, Path.GetFileName(cached.Path)) };
        }

        Directory.CreateDirectory(directory);
        log?.Invoke($"  training answerer {key}");
        var (images, categories) = data();
        var clock = Stopwatch.StartNew();
        using var classifier = CellClassifierTrainer.Train(config, images, categories);
        var answerer = new Answerer(key, config.TrainSteps, clock.Elapsed.TotalSeconds, Path.Combine(directory, "classifier.bin"));
        classifier.Save(answerer.Path);
        AtomicFile.WriteAllText(done, JsonSerializer.Serialize(answerer, _json) + "\n");
        return answerer;
    }
}

/// <summary>A cached answerer: its key, how it was trained, and where its weights are.</summary>
public sealed record Answerer(string Key, int TrainSteps, double TrainSeconds, string Path);
