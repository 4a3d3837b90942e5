using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.Composition;

/// <summary>Gives each sample of a batch its mixture weights over shards, w_i(x_t, t, c) = P(shard i | x_t, c) or an approximation of it.</summary>
public interface IRouter
{
    /// <summary>Number of shards the router weighs (its output width).</summary>
    int ShardCount { get; }

    /// <summary>Weights [B, ShardCount] float32 for x [B,C,H,W] at timesteps t [B]; each row sums to 1, masked shards get exactly 0.</summary>
    Tensor Weights(Tensor x, Tensor t, Conditioning conditioning, ShardMask mask);
}
