using CdmNotebooks.Data;

namespace CdmNotebooks.Diffusion;

/// <summary>Loads the training images of one shard of a split (or all of a dataset's training part) together with its data identity.</summary>
public static class TrainingDataSource
{
    /// <summary>Split name used when a model trains on a whole dataset's training part without a split.</summary>
    public const string NoSplit = "none";

    /// <summary>Shard name meaning "every image of the split" (the paragon / union model).</summary>
    public const string AllShards = "all";

    /// <summary>Loads shard <paramref name="shard"/> ("all" or 0..K-1) of split <paramref name="split"/> (or "none": the whole train part) of <paramref name="dataset"/>.</summary>
    public static TrainingData Load(string dataset, string split, string shard, DataLocations? locations = null)
    {
        var ids = Ids(dataset, split, shard, locations);
        var identity = new TrainingDataIdentity(dataset, split, shard, DataIdentity.Of(ids));
        if (split == NoSplit)
        {
            return TrainingData.FromLabeledImages(DatasetCatalog.Load(dataset, "train", locations), identity);
        }

        using var train = DatasetCatalog.Load(dataset, "train", locations);
        return TrainingData.FromLabeledImages(train.SelectIds(ids), identity);
    }

    /// <summary>The sample IDs of shard <paramref name="shard"/> of split <paramref name="split"/> (or "none": the whole train part) of <paramref name="dataset"/>, without loading images beyond the IDs.</summary>
    public static IReadOnlyList<string> Ids(string dataset, string split, string shard, DataLocations? locations = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataset);
        ArgumentException.ThrowIfNullOrWhiteSpace(split);
        ArgumentException.ThrowIfNullOrWhiteSpace(shard);
        if (split == NoSplit)
        {
            if (shard != AllShards)
            {
                throw new ArgumentException($"Shard '{shard}' needs a split; without one (--split {NoSplit}) only --shard {AllShards} is possible.", nameof(shard));
            }

            using var everything = DatasetCatalog.Load(dataset, "train", locations);
            return everything.Ids.ToArray();
        }

        var shardSplit = SplitCatalog.LoadOrCreate(split, locations);
        if (shardSplit.Dataset != dataset)
        {
            throw new ArgumentException($"Split '{split}' partitions dataset '{shardSplit.Dataset}', not '{dataset}'. Pass --dataset {shardSplit.Dataset}.", nameof(split));
        }

        if (shard == AllShards)
        {
            return shardSplit.Ids;
        }

        if (int.TryParse(shard, out var k) && k >= 0 && k < shardSplit.ShardCount)
        {
            return shardSplit.IdsOfShard(k);
        }

        throw new ArgumentException($"Shard '{shard}' is not '{AllShards}' or an index 0..{shardSplit.ShardCount - 1} of split '{split}'.", nameof(shard));
    }
}
