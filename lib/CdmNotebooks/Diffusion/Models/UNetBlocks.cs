using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CdmNotebooks.Diffusion;

/// <summary>Residual block conditioned on the joint time/class embedding: GN-SiLU-conv, + projected embedding, GN-SiLU-dropout-conv, + skip.</summary>
internal sealed class ResBlock : Module<Tensor, Tensor, Tensor>
{
    private readonly GroupNorm norm1;
    private readonly Conv2d conv1;
    private readonly Linear embProjection;
    private readonly GroupNorm norm2;
    private readonly Dropout dropout;
    private readonly Conv2d conv2;
    private readonly Module<Tensor, Tensor> skip;

    public ResBlock(int inChannels, int outChannels, int embDim, int groups, double dropoutRate, int resolution, FlopCounter flops)
        : base(nameof(ResBlock))
    {
        norm1 = GroupNorm(groups, inChannels);
        conv1 = Conv2d(inChannels, outChannels, 3, padding: 1);
        embProjection = Linear(embDim, outChannels);
        norm2 = GroupNorm(groups, outChannels);
        dropout = Dropout(dropoutRate);
        conv2 = Conv2d(outChannels, outChannels, 3, padding: 1);
        // Zero-initialize the last conv so each block starts as the identity (stabilizes early training).
        using (no_grad())
        {
            conv2.weight!.zero_();
            conv2.bias!.zero_();
        }

        skip = inChannels == outChannels ? Identity() : Conv2d(inChannels, outChannels, 1);
        flops.Conv(inChannels, outChannels, 3, resolution);
        flops.Linear(embDim, outChannels);
        flops.Conv(outChannels, outChannels, 3, resolution);
        if (inChannels != outChannels)
        {
            flops.Conv(inChannels, outChannels, 1, resolution);
        }

        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor emb)
    {
        using var scope = NewDisposeScope();
        var h = conv1.forward(functional.silu(norm1.forward(x)));
        h = h + embProjection.forward(emb).unsqueeze(-1).unsqueeze(-1);
        h = conv2.forward(dropout.forward(functional.silu(norm2.forward(h))));
        return (skip.forward(x) + h).MoveToOuterDisposeScope();
    }
}

/// <summary>Multi-head self-attention over the pixels of a low-resolution feature map, with a residual connection.</summary>
internal sealed class SelfAttention : Module<Tensor, Tensor>
{
    private readonly GroupNorm norm;
    private readonly Conv2d qkv;
    private readonly Conv2d projection;
    private readonly int _heads;

    public SelfAttention(int channels, int heads, int groups, int resolution, FlopCounter flops)
        : base(nameof(SelfAttention))
    {
        _heads = heads;
        norm = GroupNorm(groups, channels);
        qkv = Conv2d(channels, 3 * channels, 1);
        projection = Conv2d(channels, channels, 1);
        using (no_grad())
        {
            projection.weight!.zero_();
            projection.bias!.zero_();
        }

        var tokens = (long)resolution * resolution;
        flops.Conv(channels, 3 * channels, 1, resolution);
        flops.Add(2 * 2 * tokens * tokens * channels); // QK^T and AV
        flops.Conv(channels, channels, 1, resolution);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (b, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        var headDim = c / _heads;
        // [B, 3, heads, headDim, HW] -> q, k, v as [B, heads, HW, headDim].
        var parts = qkv.forward(norm.forward(x)).reshape(b, 3, _heads, headDim, h * w).permute(1, 0, 2, 4, 3);
        // Written out rather than scaled_dot_product_attention: libtorch 2.10's fused CPU kernel returned NaN gradients here.
        var weights = softmax(parts[0].matmul(parts[1].transpose(-2, -1)) * (1.0 / Math.Sqrt(headDim)), -1);
        var attended = weights.matmul(parts[2]);
        var merged = attended.permute(0, 1, 3, 2).reshape(b, c, h, w);
        return (x + projection.forward(merged)).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Cross-attention from image positions to caption states (Rombach et al. 2022): each position, with a learned embedding of where it is,
/// queries the words, so "a 7 top left" can reach the top-left cells directly instead of through one pooled vector. A learned null key
/// is always present, so a position of a null caption (every word masked) attends to it alone.
/// </summary>
internal sealed class CrossAttention : Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly GroupNorm norm;
    private readonly Parameter position;
    private readonly Conv2d query;
    private readonly Linear key;
    private readonly Linear value;
    private readonly Parameter nullState;
    private readonly Conv2d projection;
    private readonly int _heads;

    public CrossAttention(int channels, int stateWidth, int heads, int groups, int resolution, int maxStates, FlopCounter flops)
        : base(nameof(CrossAttention))
    {
        _heads = heads;
        norm = GroupNorm(groups, channels);
        position = new Parameter(randn(channels, resolution, resolution) * 0.02);
        query = Conv2d(channels, channels, 1);
        key = Linear(stateWidth, channels);
        value = Linear(stateWidth, channels);
        nullState = new Parameter(randn(1, stateWidth) * 0.02);
        projection = Conv2d(channels, channels, 1);
        using (no_grad())
        {
            projection.weight!.zero_();
            projection.bias!.zero_();
        }

        var positions = (long)resolution * resolution;
        flops.Conv(channels, channels, 1, resolution);
        flops.Add(2 * 2 * (long)(maxStates + 1) * stateWidth * channels); // keys and values
        flops.Add(2 * 2 * positions * (maxStates + 1) * channels); // QK^T and AV
        flops.Conv(channels, channels, 1, resolution);
        RegisterComponents();
    }

    /// <summary><paramref name="x"/> [B, C, H, W] attends to <paramref name="states"/> [B, S, W] except where <paramref name="padding"/> [B, S] is true.</summary>
    public override Tensor forward(Tensor x, Tensor states, Tensor padding)
    {
        using var scope = NewDisposeScope();
        var (b, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3]);
        var headDim = c / _heads;
        var withNull = cat([nullState.unsqueeze(0).expand(b, -1, -1), states], 1);
        var masked = cat([zeros(b, 1, ScalarType.Bool, x.device), padding], 1);
        // [B, C, H, W] -> [B, heads, HW, headDim]; keys and values [B, S+1, C] -> [B, heads, S+1, headDim].
        var q = query.forward(norm.forward(x) + position.unsqueeze(0)).reshape(b, _heads, headDim, h * w).transpose(2, 3);
        var k = key.forward(withNull).reshape(b, -1, _heads, headDim).transpose(1, 2);
        var v = value.forward(withNull).reshape(b, -1, _heads, headDim).transpose(1, 2);
        // Written out rather than scaled_dot_product_attention, as SelfAttention is (libtorch 2.10's fused CPU kernel returned NaN gradients).
        var scores = q.matmul(k.transpose(-2, -1)) * (1.0 / Math.Sqrt(headDim));
        var weights = softmax(scores.masked_fill(masked.unsqueeze(1).unsqueeze(1), double.NegativeInfinity), -1);
        var attended = weights.matmul(v).transpose(2, 3).reshape(b, c, h, w);
        return (x + projection.forward(attended)).MoveToOuterDisposeScope();
    }
}

/// <summary>Accumulates the multiply-add FLOPs of one forward pass per sample, counted analytically while the network is built.</summary>
internal sealed class FlopCounter
{
    public long Total { get; private set; }

    public void Conv(long inChannels, long outChannels, long kernel, long resolution) =>
        Total += 2 * inChannels * outChannels * kernel * kernel * resolution * resolution;

    public void Linear(long inFeatures, long outFeatures) => Total += 2 * inFeatures * outFeatures;

    public void Add(long flops) => Total += flops;
}
