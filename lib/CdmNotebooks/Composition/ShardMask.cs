namespace CdmNotebooks.Composition;

/// <summary>Which shards may receive weight (entitlements, forgetting); weights of excluded shards are exactly 0 and the rest renormalize.</summary>
public sealed class ShardMask
{
    private readonly bool[] _allowed;

    /// <summary>A mask over <paramref name="allowed"/>.Length shards; at least one must be allowed.</summary>
    public ShardMask(IReadOnlyList<bool> allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        if (!allowed.Any(a => a))
        {
            throw new ArgumentException("A shard mask must allow at least one shard; composing over no shards has no distribution.", nameof(allowed));
        }

        _allowed = allowed.ToArray();
    }

    /// <summary>Number of shards the mask covers.</summary>
    public int Count => _allowed.Length;

    /// <summary>Whether shard <paramref name="shard"/> may receive weight.</summary>
    public bool this[int shard] => _allowed[shard];

    /// <summary>Allowed flags in shard order.</summary>
    public IReadOnlyList<bool> Allowed => _allowed;

    /// <summary>Every one of <paramref name="shards"/> shards allowed.</summary>
    public static ShardMask All(int shards) => new(Enumerable.Repeat(true, shards).ToArray());

    /// <summary>Only the listed shard indices allowed.</summary>
    public static ShardMask Only(int shards, IEnumerable<int> allowed)
    {
        var flags = new bool[shards];
        foreach (var i in allowed)
        {
            if (i < 0 || i >= shards)
            {
                throw new ArgumentOutOfRangeException(nameof(allowed), i, $"Shard index must be in 0..{shards - 1}.");
            }

            flags[i] = true;
        }

        return new ShardMask(flags);
    }
}
