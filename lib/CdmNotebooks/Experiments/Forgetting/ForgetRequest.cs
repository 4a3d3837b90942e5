namespace CdmNotebooks.Experiments.Forgetting;

/// <summary>One forgetting request of the protocol: either <see cref="SampleCount"/> random training IDs, or the whole shard <see cref="Shard"/>.</summary>
/// <param name="Name">Label used in results, e.g. <c>samples-10</c> or <c>shard-0</c>.</param>
/// <param name="SampleCount">How many random sample IDs to forget (0 for a shard request).</param>
/// <param name="Shard">Split index of the shard to forget, or null for a sample request.</param>
public sealed record ForgetRequest(string Name, int SampleCount, int? Shard)
{
    /// <summary>Forget <paramref name="count"/> random sample IDs.</summary>
    public static ForgetRequest Samples(int count) => new($"samples-{count}", count, null);

    /// <summary>Forget the whole shard <paramref name="shard"/>.</summary>
    public static ForgetRequest WholeShard(int shard) => new($"shard-{shard}", 0, shard);
}
