using TorchSharp;
using TorchSharp.Modules;
using CdmNotebooks.Runtime;
using CdmNotebooks.TextToImage;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CdmNotebooks.Diffusion;

/// <summary>Conditional UNet for small square images: sinusoidal time embedding, residual blocks, GroupNorm, optional low-resolution self-attention, class (with null class) and embedding-vector conditioning.</summary>
public sealed class UNet : Module
{
    private readonly Conv2d inputConv;
    private readonly Linear timeLinear1;
    private readonly Linear timeLinear2;
    private readonly Embedding? classEmbedding;
    private readonly Linear? vectorEmbedding;
    private readonly ModuleList<ResBlock> downBlocks = new();
    private readonly ModuleList<Module<Tensor, Tensor>> downAttention = new();
    private readonly ModuleList<Conv2d> downsamplers = new();
    private readonly ResBlock middle1;
    private readonly SelfAttention? middleAttention;
    private readonly ResBlock middle2;
    private readonly ModuleList<ResBlock> upBlocks = new();
    private readonly ModuleList<Module<Tensor, Tensor>> upAttention = new();
    private readonly ModuleList<Conv2d> upsamplers = new();
    private readonly GroupNorm outputNorm;
    private readonly Conv2d outputConv;
    private readonly TextEncoder? textEncoder;
    private readonly Parameter? prompt;
    private readonly ModuleList<CrossAttention> crossAttention = new();
    private readonly List<int> _downCross = [];
    private readonly List<int> _upCross = [];
    private readonly int _middleCross = -1;
    private readonly int _baseChannels;

    /// <summary>Builds the network described by <paramref name="config"/> with parameters drawn from torch's global generator (seed it first for reproducibility).</summary>
    public UNet(UNetConfig config)
        : base(nameof(UNet))
    {
        ArgumentNullException.ThrowIfNull(config);
        Runtime.TorchRuntime.ApplyWorkarounds();
        config.Validate();
        Config = config;
        _baseChannels = config.BaseChannels;
        var flops = new FlopCounter();
        var embDim = 4 * config.BaseChannels;
        var groups = config.NormGroups;
        timeLinear1 = Linear(config.BaseChannels, embDim);
        timeLinear2 = Linear(embDim, embDim);
        flops.Linear(config.BaseChannels, embDim);
        flops.Linear(embDim, embDim);
        if (config.ClassCount > 0)
        {
            classEmbedding = Embedding(config.ClassCount + 1, embDim);
        }

        if (config.EmbeddingDim > 0)
        {
            vectorEmbedding = Linear(config.EmbeddingDim, embDim);
            flops.Linear(config.EmbeddingDim, embDim);
        }

        inputConv = Conv2d(config.ImageChannels, config.BaseChannels, 3, padding: 1);
        var resolution = config.ImageSize;
        flops.Conv(config.ImageChannels, config.BaseChannels, 3, resolution);

        var skipChannels = new Stack<int>();
        skipChannels.Push(config.BaseChannels);
        var channels = config.BaseChannels;
        var levels = config.ChannelMultipliers.Length;
        for (var level = 0; level < levels; level++)
        {
            var outChannels = config.BaseChannels * config.ChannelMultipliers[level];
            for (var r = 0; r < config.ResBlocksPerLevel; r++)
            {
                downBlocks.Add(new ResBlock(channels, outChannels, embDim, groups, config.Dropout, resolution, flops));
                downAttention.Add(MaybeAttention(config, outChannels, resolution, flops));
                _downCross.Add(MaybeCrossAttention(config, outChannels, resolution, flops));
                channels = outChannels;
                skipChannels.Push(channels);
            }

            if (level < levels - 1)
            {
                downsamplers.Add(Conv2d(channels, channels, 3, stride: 2, padding: 1));
                resolution /= 2;
                flops.Conv(channels, channels, 3, resolution);
                skipChannels.Push(channels);
            }
        }

        middle1 = new ResBlock(channels, channels, embDim, groups, config.Dropout, resolution, flops);
        middleAttention = config.AttentionResolutions.Contains(resolution)
            ? new SelfAttention(channels, config.AttentionHeads, groups, resolution, flops)
            : null;
        _middleCross = MaybeCrossAttention(config, channels, resolution, flops);
        middle2 = new ResBlock(channels, channels, embDim, groups, config.Dropout, resolution, flops);

        for (var level = levels - 1; level >= 0; level--)
        {
            var outChannels = config.BaseChannels * config.ChannelMultipliers[level];
            for (var r = 0; r <= config.ResBlocksPerLevel; r++)
            {
                upBlocks.Add(new ResBlock(channels + skipChannels.Pop(), outChannels, embDim, groups, config.Dropout, resolution, flops));
                upAttention.Add(MaybeAttention(config, outChannels, resolution, flops));
                _upCross.Add(MaybeCrossAttention(config, outChannels, resolution, flops));
                channels = outChannels;
            }

            if (level > 0)
            {
                resolution *= 2;
                upsamplers.Add(Conv2d(channels, channels, 3, padding: 1));
                flops.Conv(channels, channels, 3, resolution);
            }
        }

        outputNorm = GroupNorm(groups, channels);
        outputConv = Conv2d(channels, config.ImageChannels, 3, padding: 1);
        flops.Conv(channels, config.ImageChannels, 3, resolution);
        ForwardFlopsPerSample = flops.Total;
        if (config.TextEncoder is not null)
        {
            textEncoder = new TextEncoder(config.TextEncoder);
        }

        if (config.PromptTokens > 0)
        {
            prompt = new Parameter(randn(config.PromptTokens, config.TextEncoder!.Width) * 0.02);
        }

        RegisterComponents();

        // TorchSharp 0.107's GroupNorm leaves its affine parameters uninitialized (garbage, sometimes NaN): set the PyTorch defaults.
        using (no_grad())
        {
            foreach (var norm in modules().OfType<GroupNorm>())
            {
                norm.weight!.fill_(1.0);
                norm.bias!.zero_();
            }
        }
    }

    /// <summary>The architecture.</summary>
    public UNetConfig Config { get; }

    /// <summary>Multiply-add FLOPs (2 per MAC) of one forward pass per sample, counted analytically over convolutions, linear layers and attention products (norms and activations excluded).</summary>
    public long ForwardFlopsPerSample { get; }

    /// <summary>Number of trainable parameters.</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>Name of the prompt-tuning context parameter [PromptTokens, encoder width] (the only parameter a prompt-tuned shard trains).</summary>
    public const string PromptParameter = nameof(prompt);

    /// <summary>Network output for noisy <paramref name="x"/> [B,C,H,W] at timesteps <paramref name="t"/> [B]; labels [B] with -1 = null class; embedding [B,D] (zeros = null),
    /// or for a text-conditioned UNet the captions' token IDs [B,L] as float32 (<see cref="TextConditioning"/>; an all-pad row is the null caption and gets the zero embedding).</summary>
    public Tensor Forward(Tensor x, Tensor t, Tensor? classLabels, Tensor? embedding)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(t);
        if (x.dim() != 4 || x.shape[1] != Config.ImageChannels || x.shape[2] != Config.ImageSize || x.shape[3] != Config.ImageSize)
        {
            throw new ArgumentException(
                $"UNet expects x shaped [B,{Config.ImageChannels},{Config.ImageSize},{Config.ImageSize}]; got [{string.Join(",", x.shape)}].", nameof(x));
        }

        if (embedding is not null && vectorEmbedding is null)
        {
            throw new ArgumentException("This UNet was built without embedding conditioning (EmbeddingDim = 0) but an embedding was given.", nameof(embedding));
        }

        using var scope = NewDisposeScope();
        var emb = timeLinear2.forward(functional.silu(timeLinear1.forward(TimestepEmbedding(t, _baseChannels))));
        if (classEmbedding is not null)
        {
            var labels = classLabels is null
                ? full(x.shape[0], (long)Config.ClassCount, ScalarType.Int64, x.device)
                : where(classLabels.lt(0), full_like(classLabels, Config.ClassCount), classLabels);
            emb = emb + classEmbedding.forward(labels);
        }

        Tensor? states = null, padding = null;
        if (vectorEmbedding is not null && embedding is not null)
        {
            if (textEncoder is null)
            {
                emb = emb + vectorEmbedding.forward(embedding);
            }
            else
            {
                (var summary, states, padding) = EncodeCaptions(embedding, x.device);
                emb = emb + vectorEmbedding.forward(summary);
            }
        }

        // Without captions (unconditional use of a text model) every position attends to the null key alone.
        if (crossAttention.Count > 0 && states is null)
        {
            states = zeros(x.shape[0], 1, textEncoder!.Config.Width, device: x.device);
            padding = ones(x.shape[0], 1, ScalarType.Bool, x.device);
        }

        Tensor Cross(int index, Tensor h) => index < 0 ? h : crossAttention[index].forward(h, states!, padding!);

        var h = inputConv.forward(x);
        var skips = new Stack<Tensor>();
        skips.Push(h);
        var block = 0;
        var levels = Config.ChannelMultipliers.Length;
        for (var level = 0; level < levels; level++)
        {
            for (var r = 0; r < Config.ResBlocksPerLevel; r++, block++)
            {
                h = Cross(_downCross[block], downAttention[block].forward(downBlocks[block].forward(h, emb)));
                skips.Push(h);
            }

            if (level < levels - 1)
            {
                h = downsamplers[level].forward(h);
                skips.Push(h);
            }
        }

        h = middle1.forward(h, emb);
        if (middleAttention is not null)
        {
            h = middleAttention.forward(h);
        }

        h = Cross(_middleCross, h);
        h = middle2.forward(h, emb);
        block = 0;
        var up = 0;
        for (var level = levels - 1; level >= 0; level--)
        {
            for (var r = 0; r <= Config.ResBlocksPerLevel; r++, block++)
            {
                h = Cross(_upCross[block], upAttention[block].forward(upBlocks[block].forward(cat([h, skips.Pop()], 1), emb)));
            }

            if (level > 0)
            {
                h = upsamplers[up++].forward(functional.interpolate(h, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest));
            }
        }

        // The output convolution has 1-3 output channels, which oneDNN back-propagates wrongly unless padded (see NarrowConvolution).
        return NarrowConvolution.Forward(functional.silu(outputNorm.forward(h)), outputConv.weight!, outputConv.bias, padding: 1).MoveToOuterDisposeScope();
    }

    private static Module<Tensor, Tensor> MaybeAttention(UNetConfig config, int channels, int resolution, FlopCounter flops) =>
        config.AttentionResolutions.Contains(resolution)
            ? new SelfAttention(channels, config.AttentionHeads, config.NormGroups, resolution, flops)
            : Identity();

    /// <summary>The cross-attention block of a residual block at <paramref name="resolution"/> (its index), or -1 when none is configured there.</summary>
    private int MaybeCrossAttention(UNetConfig config, int channels, int resolution, FlopCounter flops)
    {
        if (config.CrossAttentionResolutions?.Contains(resolution) != true)
        {
            return -1;
        }

        var text = config.TextEncoder!;
        crossAttention.Add(new CrossAttention(channels, text.Width, config.AttentionHeads, config.NormGroups, resolution,
            text.MaxContextTokens + SceneTokenizer.SequenceLength, flops));
        return crossAttention.Count - 1;
    }

    /// <summary>The caption summary [B, D] (zero for a null caption) and the word states [B, S, W] with their mask; a null caption masks every word.</summary>
    private (Tensor Summary, Tensor States, Tensor Padding) EncodeCaptions(Tensor tokenIds, Device device)
    {
        var (tokens, isNull) = TextConditioning.Decode(Conditioning.Embeddings(tokenIds));
        var (summary, states, padding) = textEncoder!.Encode(tokens.to(device), prompt);
        var nullRows = isNull.to(device).unsqueeze(1);
        return (where(nullRows, zeros_like(summary), summary), states, padding.logical_or(nullRows));
    }

    /// <summary>Sinusoidal embedding of integer timesteps (Vaswani et al. 2017), as in DDPM.</summary>
    private static Tensor TimestepEmbedding(Tensor t, int dim)
    {
        var half = dim / 2;
        var frequencies = exp(arange(half, ScalarType.Float32, t.device) * (-Math.Log(10000.0) / half));
        var args = t.to(ScalarType.Float32).unsqueeze(1) * frequencies.unsqueeze(0);
        var embedding = cat([cos(args), sin(args)], 1);
        return dim % 2 == 1 ? functional.pad(embedding, [0, 1]) : embedding;
    }
}
