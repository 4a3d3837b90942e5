using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.Composition;

/// <summary>Mixture priors over shards: lambda_i, and optionally P(shard i | class c) for class-conditional sampling.</summary>
public sealed class ShardPriors
{
    private readonly double[] _global;
    private readonly double[,]? _perClass;

    private ShardPriors(double[] global, double[,]? perClass)
    {
        _global = global;
        _perClass = perClass;
    }

    /// <summary>Number of shards.</summary>
    public int Count => _global.Length;

    /// <summary>lambda_i, summing to 1.</summary>
    public IReadOnlyList<double> Global => _global;

    /// <summary>Equal lambda_i = 1/n.</summary>
    public static ShardPriors Uniform(int shards) =>
        shards >= 1 ? new(Enumerable.Repeat(1.0 / shards, shards).ToArray(), null) : throw new ArgumentOutOfRangeException(nameof(shards));

    /// <summary>lambda_i given explicitly (normalized here; negative or all-zero values are an error).</summary>
    public static ShardPriors FromWeights(IReadOnlyList<double> lambda) => new(Normalize(lambda, "lambda"), null);

    /// <summary>lambda_i proportional to shard sizes and P(i | c) proportional to each shard's count of class c (the mixture of the shards' data).</summary>
    public static ShardPriors FromClassCounts(IReadOnlyList<IReadOnlyList<int>> classCountsPerShard)
    {
        ArgumentNullException.ThrowIfNull(classCountsPerShard);
        var shards = classCountsPerShard.Count;
        var global = Normalize(classCountsPerShard.Select(c => (double)c.Sum()).ToArray(), "shard sizes");
        var classes = classCountsPerShard.Max(c => c.Count);
        if (classes == 0)
        {
            return new ShardPriors(global, null);
        }

        var perClass = new double[classes, shards];
        for (var c = 0; c < classes; c++)
        {
            var total = classCountsPerShard.Sum(s => c < s.Count ? s[c] : 0);
            for (var i = 0; i < shards; i++)
            {
                // A class no shard holds keeps the global prior rather than an undefined 0/0.
                perClass[c, i] = total == 0 ? global[i] : (c < classCountsPerShard[i].Count ? classCountsPerShard[i][c] : 0) / (double)total;
            }
        }

        return new ShardPriors(global, perClass);
    }

    /// <summary>log prior [B, N] float32 for a batch: rows with a class label use log P(i | c) when known, other rows log lambda_i.</summary>
    public Tensor Log(Conditioning conditioning, long batch, Device device)
    {
        using var scope = NewDisposeScope();
        var global = tensor(_global, ScalarType.Float64, device).log().to(ScalarType.Float32).unsqueeze(0).expand(batch, -1);
        if (_perClass is null || conditioning.ClassLabels is null)
        {
            return global.contiguous().MoveToOuterDisposeScope();
        }

        var labels = conditioning.ClassLabels.to(ScalarType.Int64).to(device);
        var classes = _perClass.GetLength(0);
        if (labels.ge(classes).any().item<bool>())
        {
            throw new ArgumentException($"A class label exceeds the {classes} classes the shard priors know.", nameof(conditioning));
        }

        var table = tensor(_perClass, ScalarType.Float64, device).log().to(ScalarType.Float32);
        var known = labels.ge(0);
        var rows = table.index_select(0, labels.clamp_min(0));
        return where(known.unsqueeze(1), rows, global).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The shard the prior alone decides for each sample [B] int64, or -1: a sample is decided when exactly one shard allowed by
    /// <paramref name="mask"/> has a positive prior for it (a class held by one shard, given the class). Its posterior
    /// P(i | x_t, c) is then one-hot whatever x_t is, so no router network needs to run for it.
    /// </summary>
    public Tensor Decided(Conditioning conditioning, long batch, ShardMask mask, Device device)
    {
        ArgumentNullException.ThrowIfNull(conditioning);
        ArgumentNullException.ThrowIfNull(mask);
        using var scope = NewDisposeScope();
        var allowed = tensor(mask.Allowed.ToArray(), device: device).unsqueeze(0);
        var possible = Log(conditioning, batch, device).isfinite().logical_and(allowed);
        var single = possible.sum(1).eq(1);
        var shard = possible.to(ScalarType.Int64).argmax(1);
        return where(single, shard, full_like(shard, -1L)).MoveToOuterDisposeScope();
    }

    private static double[] Normalize(IReadOnlyList<double> values, string what)
    {
        if (values.Count == 0 || values.Any(v => !(v >= 0)) || values.Sum() <= 0)
        {
            throw new ArgumentException($"Shard {what} must be non-negative with a positive sum; got [{string.Join(", ", values)}].");
        }

        var sum = values.Sum();
        return values.Select(v => v / sum).ToArray();
    }
}
