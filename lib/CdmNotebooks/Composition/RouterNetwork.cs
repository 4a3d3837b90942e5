using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CdmNotebooks.Composition;

/// <summary>A small time-conditioned CNN mapping a noised image x_t (and optionally a class label) to logits: the body of the trained routers.</summary>
/// <remarks>
/// Three 3x3 convolutions (two with stride 2), global average pooling, and an MLP head; the timestep enters as a sinusoidal embedding
/// added after the first convolution and again before the head. Inputs must be at least 4x4: on 1x1 inputs libtorch's CPU convolution
/// backward intermittently returns garbage gradients for the padded stride-2 layers (measured: 5 in 300 steps turned the weights to NaN).
/// </remarks>
public sealed class RouterNetwork : Module<Tensor, Tensor, Tensor?, Tensor>
{
    private readonly Conv2d _input;
    private readonly Conv2d _down1;
    private readonly Conv2d _down2;
    private readonly Linear _time1;
    private readonly Linear _time2;
    private readonly Linear _timeToInput;
    private readonly Embedding? _classes;
    private readonly Linear _head1;
    private readonly Linear _head2;

    /// <summary>Builds an untrained network of shape <paramref name="config"/>.</summary>
    public RouterNetwork(RouterNetworkConfig config) : base(nameof(RouterNetwork))
    {
        Config = (config ?? throw new ArgumentNullException(nameof(config))).Validated();
        var c = config.BaseChannels;
        _input = Conv2d(config.InputChannels, c, 3, padding: 1);
        _down1 = Conv2d(c, 2 * c, 3, stride: 2, padding: 1);
        _down2 = Conv2d(2 * c, 2 * c, 3, stride: 2, padding: 1);
        _time1 = Linear(config.TimeFeatures, 2 * c);
        _time2 = Linear(2 * c, 2 * c);
        _timeToInput = Linear(2 * c, c);
        // Index 0 is the null class (label -1), so unconditional queries are valid for a class-conditioned router.
        _classes = config.Classes > 0 ? Embedding(config.Classes + 1, 2 * c) : null;
        _head1 = Linear(4 * c, 2 * c);
        _head2 = Linear(2 * c, config.Outputs);
        RegisterComponents();
    }

    /// <summary>Smallest image height and width accepted.</summary>
    public const int MinimumSize = 4;

    /// <summary>The configuration it was built from.</summary>
    public RouterNetworkConfig Config { get; }

    /// <summary>Logits [B, Outputs] for x [B,C,H,W], integer timesteps t [B] and labels [B] (null or -1 = no class).</summary>
    public override Tensor forward(Tensor x, Tensor t, Tensor? labels)
    {
        if (x.dim() != 4 || x.shape[1] != Config.InputChannels || x.shape[2] < MinimumSize || x.shape[3] < MinimumSize)
        {
            throw new ArgumentException(
                $"Router network expects x [B,{Config.InputChannels},H,W] with H, W >= {MinimumSize}; got [{string.Join(",", x.shape)}].", nameof(x));
        }

        using var scope = NewDisposeScope();
        var embedding = _time2.forward(functional.silu(_time1.forward(Sinusoidal(t, Config.TimeFeatures))));
        if (_classes is not null && labels is not null)
        {
            embedding = embedding + _classes.forward(labels.to(ScalarType.Int64).clamp_min(-1) + 1);
        }

        var h = functional.silu(_input.forward(x) + _timeToInput.forward(embedding).unsqueeze(-1).unsqueeze(-1));
        h = functional.silu(_down1.forward(h));
        h = functional.silu(_down2.forward(h));
        var pooled = h.mean([2L, 3L]);
        var features = cat([pooled, functional.silu(embedding)], 1);
        return _head2.forward(functional.silu(_head1.forward(features))).MoveToOuterDisposeScope();
    }

    /// <summary>Logits computed without gradient tracking (inference inside routers).</summary>
    public Tensor Logits(Tensor x, Tensor t, Tensor? labels)
    {
        using var noGrad = no_grad();
        return forward(x, t, labels);
    }

    private static Tensor Sinusoidal(Tensor t, int features)
    {
        using var scope = NewDisposeScope();
        var half = features / 2;
        var frequencies = exp(arange(half, ScalarType.Float32, t.device) * (-Math.Log(10000.0) / half));
        var angles = t.to(ScalarType.Float32).unsqueeze(1) * frequencies.unsqueeze(0);
        return cat([sin(angles), cos(angles)], 1).MoveToOuterDisposeScope();
    }
}
