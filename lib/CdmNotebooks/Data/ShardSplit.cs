using System.Security.Cryptography;
using System.Text.Json;
using CdmNotebooks.IO;
using CsvHelper;

namespace CdmNotebooks.Data;

/// <summary>A deterministic assignment of a dataset's training samples to shards, stored as data-manifests/splits/NAME.csv (sample_id,shard) plus NAME.summary.json.</summary>
public sealed class ShardSplit
{
    /// <summary>The seed of the committed canonical splits (the paper's arXiv number, 2308.01937).</summary>
    public const int DefaultSeed = 2308;

    /// <summary>Identifies the assignment algorithm; bump it if <see cref="ShardPartitioner"/> ever changes its output.</summary>
    public const string Generator = "cdm-split/1 (MathNet.Numerics 5.0.0 MersenneTwister, class-stratified)";

    private readonly string[] _ids;
    private readonly int[] _shards;
    private readonly long[] _labels;

    private ShardSplit(string name, string dataset, SplitScheme scheme, int shardCount, int seed, string[] ids, long[] labels, int[] shards)
    {
        Name = name;
        Dataset = dataset;
        Scheme = scheme;
        ShardCount = shardCount;
        Seed = seed;
        _ids = ids;
        _labels = labels;
        _shards = shards;
    }

    public string Name { get; }
    public string Dataset { get; }
    public SplitScheme Scheme { get; }
    public int ShardCount { get; }
    public int Seed { get; }

    /// <summary>All sample IDs of the split, in dataset order.</summary>
    public IReadOnlyList<string> Ids => _ids;

    /// <summary>The shard of each sample in <see cref="Ids"/> order.</summary>
    public IReadOnlyList<int> Shards => _shards;

    /// <summary>The conventional name: DATASET-SCHEME-N, with -sSEED appended for a non-default seed.</summary>
    public static string NameFor(string dataset, SplitScheme scheme, int shards, int seed) =>
        $"{dataset}-{scheme.NameToken}-{shards}" + (seed == DefaultSeed ? "" : $"-s{seed}");

    /// <summary>Splits the training part of <paramref name="data"/> (its IDs and labels) under <paramref name="scheme"/>.</summary>
    public static ShardSplit Create(LabeledImages data, SplitScheme scheme, int shards, int seed, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        var domains = data.Ids.Select(id => id[..id.IndexOf('/')]).ToArray();
        var assignment = ShardPartitioner.Assign(data.Labels, domains, scheme, shards, seed);
        return new ShardSplit(name ?? NameFor(data.Dataset, scheme, shards, seed), data.Dataset, scheme, shards, seed,
            data.Ids.ToArray(), data.Labels.ToArray(), assignment);
    }

    /// <summary>The IDs assigned to <paramref name="shard"/>, in dataset order.</summary>
    public IReadOnlyList<string> IdsOfShard(int shard)
    {
        CheckShard(shard);
        return Enumerable.Range(0, _ids.Length).Where(i => _shards[i] == shard).Select(i => _ids[i]).ToArray();
    }

    /// <summary>sha256 of the shard's sorted IDs: the training-data identity checkpoints record.</summary>
    public string DataIdentity(int shard) => Data.DataIdentity.Of(IdsOfShard(shard));

    /// <summary>Number of samples of each class (0..9) in <paramref name="shard"/>.</summary>
    public int[] ClassCounts(int shard)
    {
        CheckShard(shard);
        if (LoadedSummary != null)
        {
            return LoadedSummary.Shards[shard].ClassCounts.ToArray();
        }

        var counts = new int[10];
        for (var i = 0; i < _ids.Length; i++)
        {
            if (_shards[i] == shard)
            {
                counts[_labels[i]]++;
            }
        }

        return counts;
    }

    /// <summary>The summary written next to the CSV.</summary>
    public SplitSummary Summary(string csvSha256) => new(
        Name, Dataset, "train", Scheme.ToString(), ShardCount, Seed, Generator, _ids.Length, csvSha256,
        Enumerable.Range(0, ShardCount).Select(s => new ShardSummary(s, _shards.Count(x => x == s), ClassCounts(s), DataIdentity(s))).ToArray());

    /// <summary>Writes NAME.csv and NAME.summary.json atomically into <paramref name="directory"/> (default data-manifests/splits).</summary>
    public (string CsvPath, string SummaryPath) Save(string? directory = null)
    {
        directory ??= Path.Combine(RepositoryPaths.Manifests, "splits");
        var csvPath = Path.Combine(directory, Name + ".csv");
        var summaryPath = Path.Combine(directory, Name + ".summary.json");
        var csv = CsvBytes();
        AtomicFile.WriteAllBytes(csvPath, csv);
        AtomicFile.WriteAllText(summaryPath, JsonSerializer.Serialize(Summary(Convert.ToHexStringLower(SHA256.HashData(csv))), DatasetManifest.JsonOptions) + "\n");
        return (csvPath, summaryPath);
    }

    /// <summary>The CSV content: header sample_id,shard then one row per sample in dataset order, LF line ends.</summary>
    public byte[] CsvBytes()
    {
        using var buffer = new MemoryStream();
        using (var writer = CsvWriter.Create(buffer, new CsvWriterOptions { NewLine = "\n" }, true))
        {
            writer.WriteField("sample_id");
            writer.WriteField("shard");
            writer.EndRecord();
            for (var i = 0; i < _ids.Length; i++)
            {
                writer.WriteField(_ids[i]);
                writer.WriteField(_shards[i].ToString(System.Globalization.CultureInfo.InvariantCulture));
                writer.EndRecord();
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Loads split <paramref name="name"/>, checking the CSV against its summary (checksum, shard range, duplicate IDs, identities).</summary>
    public static ShardSplit Load(string name, string? manifestsRoot = null)
    {
        var directory = Path.Combine(manifestsRoot ?? RepositoryPaths.Manifests, "splits");
        var csvPath = Path.Combine(directory, name + ".csv");
        var summaryPath = Path.Combine(directory, name + ".summary.json");
        const string Fix = "Restore it from git (git checkout -- data-manifests/splits) or regenerate it with `cdm split`.";
        if (!File.Exists(csvPath) || !File.Exists(summaryPath))
        {
            var known = Directory.Exists(directory)
                ? string.Join(", ", Directory.GetFiles(directory, "*.summary.json").Select(p => Path.GetFileName(p)[..^".summary.json".Length]).Order())
                : "(none)";
            throw new FileNotFoundException(
                $"Split '{name}' not found: need {csvPath} and {summaryPath}. Known splits: {known}. Create one with `cdm split --dataset D --scheme S --shards N`.",
                csvPath);
        }

        SplitSummary summary;
        try
        {
            summary = JsonSerializer.Deserialize<SplitSummary>(File.ReadAllText(summaryPath), DatasetManifest.JsonOptions)
                      ?? throw new DataFormatException(summaryPath, "is empty.", Fix);
        }
        catch (JsonException ex)
        {
            throw new DataFormatException(summaryPath, $"is not a valid split summary ({ex.Message}).", Fix, ex);
        }

        var bytes = File.ReadAllBytes(csvPath);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (sha != summary.CsvSha256)
        {
            throw new DataFormatException(csvPath, $"sha256 {sha} differs from its summary's {summary.CsvSha256}: the CSV was edited or truncated.", Fix);
        }

        var ids = new List<string>();
        var shards = new List<int>();
        using (var reader = CsvReader.Create(bytes, new CsvReaderOptions { HasHeader = true }))
        {
            while (reader.Read())
            {
                var id = reader.GetString(0);
                if (!int.TryParse(reader.GetString(1), out var shard) || shard < 0 || shard >= summary.ShardCount)
                {
                    throw new DataFormatException(csvPath, $"row {ids.Count + 2} has shard '{reader.GetString(1)}', not an integer in 0..{summary.ShardCount - 1}.", Fix);
                }

                ids.Add(id);
                shards.Add(shard);
            }
        }

        if (ids.Count != summary.SampleCount || ids.Distinct(StringComparer.Ordinal).Count() != ids.Count)
        {
            throw new DataFormatException(csvPath, $"has {ids.Count} rows ({ids.Distinct().Count()} distinct IDs); the summary says {summary.SampleCount} distinct samples.", Fix);
        }

        // The CSV stores no labels; class counts of a loaded split come from its verified summary.
        var split = new ShardSplit(summary.Name, summary.Dataset, SplitScheme.Parse(summary.Scheme), summary.ShardCount, summary.Seed,
            ids.ToArray(), Enumerable.Repeat(-1L, ids.Count).ToArray(), shards.ToArray());
        for (var s = 0; s < summary.ShardCount; s++)
        {
            var identity = split.DataIdentity(s);
            if (identity != summary.Shards[s].DataIdentity)
            {
                throw new DataFormatException(csvPath, $"shard {s} has data identity {identity}, but the summary records {summary.Shards[s].DataIdentity}.", Fix);
            }
        }

        split.LoadedSummary = summary;
        return split;
    }

    /// <summary>The summary this split was loaded from (null for a freshly created split).</summary>
    public SplitSummary? LoadedSummary { get; private set; }

    private void CheckShard(int shard)
    {
        if (shard < 0 || shard >= ShardCount)
        {
            throw new ArgumentOutOfRangeException(nameof(shard), $"Split '{Name}' has shards 0..{ShardCount - 1}; got {shard}.");
        }
    }
}
