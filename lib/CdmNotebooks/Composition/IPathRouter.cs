using static TorchSharp.torch;

namespace CdmNotebooks.Composition;

/// <summary>A router whose weights depend on the sampling path so far; the composed denoiser feeds it every step's shard predictions.</summary>
public interface IPathRouter : IRouter
{
    /// <summary>Forgets the previous path; the next <see cref="IRouter.Weights"/> call starts a new one.</summary>
    void BeginPath(int batch);

    /// <summary>Receives the shard predictions x0_i [B, N, C, H, W] made at (x, t); <paramref name="evaluated"/> [B, N] bool marks the entries actually computed.</summary>
    void Observe(Tensor x, Tensor t, Tensor shardX0, Tensor evaluated);
}
