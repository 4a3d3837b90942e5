using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CdmNotebooks.Data;
using CdmNotebooks.IO;

namespace CdmNotebooks.Evaluation;

/// <summary>Trains CdmNet feature networks once and serves them from a cache directory, verifying each manifest on load.</summary>
public sealed class FeatureNetworkCache
{
    /// <summary>The metric label to print next to every FID computed with these features.</summary>
    public const string MetricName = "FID (CdmNet features)";

    private static readonly JsonSerializerOptions _json = new() { WriteIndented = true };

    /// <summary>Uses <paramref name="directory"/>, or by default <c>&lt;cache&gt;/features</c> (<c>$CDM_CACHE</c> or <c>&lt;repo&gt;/.cdm-cache</c>).</summary>
    public FeatureNetworkCache(string? directory = null)
    {
        Directory = Path.GetFullPath(directory ?? Path.Combine(RepositoryPaths.Cache, "features"));
    }

    /// <summary>The cache directory.</summary>
    public string Directory { get; }

    /// <summary>Folder of the network for <paramref name="config"/>: dataset, seed and a hash of the whole configuration.</summary>
    public string FolderOf(CdmNetConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(config))))[..12];
        return Path.Combine(Directory, $"cdmnet-{config.Dataset}-seed{config.Seed}-{hash}");
    }

    /// <summary>Loads the cached network for the standard config of <paramref name="dataset"/>, training and caching it first if absent.</summary>
    public CdmNetFeatureExtractor GetOrTrain(string dataset, int seed = 0, Action<string>? log = null, DataLocations? locations = null) =>
        GetOrTrain(CdmNetConfig.ForDataset(dataset, seed), log, locations);

    /// <summary>Loads the cached network for <paramref name="config"/>, training and caching it first if absent.</summary>
    public CdmNetFeatureExtractor GetOrTrain(CdmNetConfig config, Action<string>? log = null, DataLocations? locations = null)
    {
        using var train = DatasetCatalog.Load(config.Dataset, "train", locations);
        if (File.Exists(Path.Combine(FolderOf(config), "manifest.json")))
        {
            return Load(config, DataIdentity.Of(train.Ids));
        }

        using var heldOut = DatasetCatalog.Load(config.Dataset, "test", locations);
        return Train(config, train, heldOut, log);
    }

    /// <summary>Trains on <paramref name="train"/>, scores on <paramref name="heldOut"/>, and writes weights then manifest atomically (the manifest last, so a crash never leaves a manifest without weights).</summary>
    public CdmNetFeatureExtractor Train(CdmNetConfig config, LabeledImages train, LabeledImages heldOut, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var (network, result) = CdmNetTrainer.Train(config, train, heldOut, log);
        var folder = FolderOf(config);
        var weightsPath = Path.Combine(folder, "weights.dat");
        AtomicFile.Write(weightsPath, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            network.save(writer);
        });
        var manifest = new CdmNetManifest(
            MetricName,
            config,
            DataIdentity.Of(train.Ids),
            train.Count,
            DataIdentity.Of(heldOut.Ids),
            heldOut.Count,
            result.HeldOutAccuracy,
            result.EpochLosses,
            result.TrainSeconds,
            "weights.dat",
            Sha256OfFile(weightsPath),
            DateTime.UtcNow.ToString("O"));
        AtomicFile.WriteAllText(Path.Combine(folder, "manifest.json"), JsonSerializer.Serialize(manifest, _json));
        log?.Invoke($"cached {folder}");
        return new CdmNetFeatureExtractor(network);
    }

    /// <summary>Reads the manifest of the cached network for <paramref name="config"/>, or throws if there is none.</summary>
    public CdmNetManifest ReadManifest(CdmNetConfig config)
    {
        var path = Path.Combine(FolderOf(config), "manifest.json");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"No cached CdmNet for {config.Dataset} (seed {config.Seed}) at '{path}'. Train it with `cdm features train --dataset {config.Dataset}`.", path);
        }

        return JsonSerializer.Deserialize<CdmNetManifest>(File.ReadAllText(path), _json)
               ?? throw new InvalidOperationException($"'{path}' is empty or not a CdmNet manifest; delete its folder and retrain.");
    }

    /// <summary>Loads the cached network for <paramref name="config"/>, checking that its manifest matches the config, the expected training data and the weights file.</summary>
    public CdmNetFeatureExtractor Load(CdmNetConfig config, string expectedTrainDataIdentity)
    {
        var manifest = ReadManifest(config);
        var folder = FolderOf(config);
        var fix = $"Delete '{folder}' and retrain with `cdm features train --dataset {config.Dataset}`.";
        if (manifest.Config != config)
        {
            throw new InvalidOperationException($"Cached CdmNet manifest in '{folder}' records config {manifest.Config}, not the requested {config}. {fix}");
        }

        if (manifest.TrainDataIdentity != expectedTrainDataIdentity)
        {
            throw new InvalidOperationException(
                $"Cached CdmNet in '{folder}' was trained on data {manifest.TrainDataIdentity[..12]}..., but the current {config.Dataset} train part is {expectedTrainDataIdentity[..12]}.... {fix}");
        }

        var weightsPath = Path.Combine(folder, manifest.WeightsFile);
        if (!File.Exists(weightsPath) || Sha256OfFile(weightsPath) != manifest.WeightsSha256)
        {
            throw new InvalidOperationException($"Weights '{weightsPath}' are missing or do not match the sha256 in the manifest. {fix}");
        }

        var network = new CdmNet(config);
        using (var reader = new BinaryReader(File.OpenRead(weightsPath)))
        {
            network.load(reader);
        }

        return new CdmNetFeatureExtractor(network);
    }

    private static string Sha256OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
