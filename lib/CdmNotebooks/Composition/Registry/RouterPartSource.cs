namespace CdmNotebooks.Composition.Registry;

/// <summary>A part of a router version being staged: either a new weight file written by the caller, or an unchanged part reused from an earlier version.</summary>
public sealed record RouterPartSource
{
    private RouterPartSource(string? shardName, IReadOnlyList<string> trainedOn, Action<string>? write, RouterPart? reuse)
    {
        ShardName = shardName;
        TrainedOnIdentities = trainedOn;
        Write = write;
        Reuse = reuse;
    }

    /// <summary>The shard the part serves, or null for a part serving all shards.</summary>
    public string? ShardName { get; }

    /// <summary>Data identities the new part was trained on.</summary>
    public IReadOnlyList<string> TrainedOnIdentities { get; }

    /// <summary>Writes the new part's weights to the given path.</summary>
    public Action<string>? Write { get; }

    /// <summary>The earlier part reused unchanged.</summary>
    public RouterPart? Reuse { get; }

    /// <summary>A new weight file written by <paramref name="write"/>.</summary>
    public static RouterPartSource New(string? shardName, IReadOnlyList<string> trainedOnIdentities, Action<string> write) =>
        new(shardName, trainedOnIdentities, write ?? throw new ArgumentNullException(nameof(write)), null);

    /// <summary>An existing part kept as it is (its file and lineage carry over).</summary>
    public static RouterPartSource Keep(RouterPart part) =>
        new(part.ShardName, part.TrainedOnIdentities, null, part ?? throw new ArgumentNullException(nameof(part)));
}
