using CdmNotebooks.Diffusion;
using static TorchSharp.torch;

namespace CdmNotebooks.Runtime;

/// <summary>One convolution shape checked by <see cref="OneDnnCheck"/>.</summary>
/// <param name="Name">Where the shape occurs in the standard UNet.</param>
/// <param name="InChannels">Input channels.</param>
/// <param name="OutChannels">Output channels.</param>
/// <param name="Kernel">Square kernel size (padding keeps the size: kernel / 2).</param>
/// <param name="Stride">Stride.</param>
/// <param name="Size">Input height and width.</param>
/// <param name="PaddedOutput">Evaluate through <see cref="NarrowConvolution"/> (output channels zero-padded), as the UNet's output layer runs.</param>
public sealed record ConvShape(string Name, int InChannels, int OutChannels, int Kernel, int Stride, int Size, bool PaddedOutput = false);

/// <summary>The result of checking one convolution shape: how often oneDNN's forward/backward disagreed with libtorch's own kernels.</summary>
/// <param name="Shape">The shape checked.</param>
/// <param name="Calls">Forward+backward calls made with oneDNN.</param>
/// <param name="NonFiniteCalls">Calls where any output or gradient was NaN or infinite.</param>
/// <param name="WrongCalls">Calls with finite values that differ from the reference by more than the tolerance.</param>
/// <param name="WorstRelativeError">Largest max|oneDNN - reference| / max|reference| over finite calls, per tensor (output, input, weight and bias gradients).</param>
public sealed record ConvCheckResult(ConvShape Shape, int Calls, int NonFiniteCalls, int WrongCalls, double WorstRelativeError);

/// <summary>
/// Checks oneDNN's convolutions on this CPU against libtorch's non-oneDNN kernels, shape by shape, so a user can see whether (and
/// where) the oneDNN build returns wrong or non-finite gradients, and whether the AVX2 cap or CDM_ONEDNN=off is needed.
/// </summary>
public static class OneDnnCheck
{
    /// <summary>Relative error above which a finite result counts as wrong (float32 reductions in a different order stay far below it).</summary>
    public const double Tolerance = 1e-3;

    /// <summary>Every distinct convolution of the standard UNet (base 16, multipliers 1-2-4, one residual block per level, 28x28).</summary>
    public static IReadOnlyList<ConvShape> StandardUNetShapes { get; } =
    [
        new("input conv", 1, 16, 3, 1, 28),
        new("res 16->16 @28", 16, 16, 3, 1, 28),
        new("downsample @28", 16, 16, 3, 2, 28),
        new("res 16->32 @14", 16, 32, 3, 1, 14),
        new("res 32->32 @14", 32, 32, 3, 1, 14),
        new("skip 1x1 16->32 @14", 16, 32, 1, 1, 14),
        new("downsample @14", 32, 32, 3, 2, 14),
        new("res 32->64 @7", 32, 64, 3, 1, 7),
        new("res 64->64 @7", 64, 64, 3, 1, 7),
        new("skip 1x1 32->64 @7", 32, 64, 1, 1, 7),
        new("attention qkv 1x1 @7", 64, 192, 1, 1, 7),
        new("up res 128->64 @7", 128, 64, 3, 1, 7),
        new("up res 96->64 @7", 96, 64, 3, 1, 7),
        new("upsample conv 64 @14", 64, 64, 3, 1, 14),
        new("up res 96->32 @14", 96, 32, 3, 1, 14),
        new("up res 48->32 @14", 48, 32, 3, 1, 14),
        new("upsample conv 32 @28", 32, 32, 3, 1, 28),
        new("up res 48->16 @28", 48, 16, 3, 1, 28),
        new("up res 32->16 @28", 32, 16, 3, 1, 28),
        new("skip 1x1 32->16 @28", 32, 16, 1, 1, 28),
        new("output conv", 16, 1, 3, 1, 28),
        new("output conv, padded", 16, 1, 3, 1, 28, PaddedOutput: true),
        new("2 outputs", 16, 2, 3, 1, 28),
        new("3 outputs (RGB)", 16, 3, 3, 1, 28),
        new("3 outputs (RGB), padded", 16, 3, 3, 1, 28, PaddedOutput: true),
        new("8 outputs", 16, 8, 3, 1, 28),
    ];

    /// <summary>Runs <paramref name="calls"/> oneDNN forward+backward passes per shape (batch <paramref name="batch"/>) and compares each with one reference pass with oneDNN switched off.</summary>
    public static IReadOnlyList<ConvCheckResult> Run(IEnumerable<ConvShape> shapes, int calls, int batch = 64, long seed = 0, Action<ConvCheckResult>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        ArgumentOutOfRangeException.ThrowIfLessThan(calls, 1);
        var results = new List<ConvCheckResult>();
        foreach (var shape in shapes)
        {
            using var scope = NewDisposeScope();
            using var generator = new Generator().manual_seed(seed);
            var x = randn([batch, shape.InChannels, shape.Size, shape.Size], generator: generator);
            var weight = randn([shape.OutChannels, shape.InChannels, shape.Kernel, shape.Kernel], generator: generator) * (1.0 / Math.Sqrt(shape.InChannels * shape.Kernel * shape.Kernel));
            var bias = randn([shape.OutChannels], generator: generator);
            var outSize = (shape.Size + 2 * (shape.Kernel / 2) - shape.Kernel) / shape.Stride + 1;
            var gradOutput = randn([batch, shape.OutChannels, outSize, outSize], generator: generator);
            var result = Compare(shape, calls, () => Pass(shape, x, weight, bias, gradOutput));
            results.Add(result);
            progress?.Invoke(result);
        }

        return results;
    }

    /// <summary>
    /// The whole standard UNet: <paramref name="calls"/> oneDNN forward+backward passes over one seeded batch, each compared with a
    /// pass with oneDNN off (relative error of the output and of the concatenated parameter gradient). This is the end-to-end check
    /// that training gets the right gradient.
    /// </summary>
    public static ConvCheckResult RunUNet(int calls, int batch = 64, long seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(calls, 1);
        var config = ModelProfiles.Get("standard").Model;
        var shape = new ConvShape("whole standard UNet", config.ImageChannels, config.ImageChannels, 3, 1, config.ImageSize);
        using var scope = NewDisposeScope();
        using var generator = new Generator().manual_seed(seed);
        using var model = new UNet(config);
        var x = randn([batch, config.ImageChannels, config.ImageSize, config.ImageSize], generator: generator);
        var t = rand([batch], generator: generator) * 999;
        var labels = randint(0, config.ClassCount, [batch], generator: generator);
        var gradOutput = randn([batch, config.ImageChannels, config.ImageSize, config.ImageSize], generator: generator);
        return Compare(shape, calls, () =>
        {
            model.zero_grad();
            var output = model.Forward(x, t, labels, null);
            output.backward([gradOutput]);
            return [output.detach(), cat(model.parameters().Select(p => p.grad!.flatten()).ToArray()).detach()];
        });
    }

    /// <summary>One reference <paramref name="pass"/> with oneDNN off, then <paramref name="calls"/> with it on, counting non-finite and wrong results; oneDNN is restored to the process's mode afterwards.</summary>
    private static ConvCheckResult Compare(ConvShape shape, int calls, Func<Tensor[]> pass)
    {
        try
        {
            TorchRuntime.SetOneDnnEnabled(false);
            var reference = pass();
            TorchRuntime.SetOneDnnEnabled(true);
            int nonFinite = 0, wrong = 0;
            var worst = 0.0;
            for (var c = 0; c < calls; c++)
            {
                using var callScope = NewDisposeScope();
                var actual = pass();
                if (actual.Any(a => !a.isfinite().all().item<bool>()))
                {
                    nonFinite++;
                    continue;
                }

                var error = RelativeError(actual, reference);
                worst = Math.Max(worst, error);
                wrong += error > Tolerance ? 1 : 0;
            }

            return new ConvCheckResult(shape, calls, nonFinite, wrong, worst);
        }
        finally
        {
            TorchRuntime.SetOneDnnEnabled(TorchRuntime.OneDnnMode != "off");
        }
    }

    private static double RelativeError(Tensor[] actual, Tensor[] reference) =>
        actual.Zip(reference, (a, r) => (a - r).abs().max().item<float>() / Math.Max(r.abs().max().item<float>(), 1e-12)).Max();

    private static Tensor[] Pass(ConvShape shape, Tensor x, Tensor weight, Tensor bias, Tensor gradOutput)
    {
        var xg = x.detach().requires_grad_(true);
        var wg = weight.detach().requires_grad_(true);
        var bg = bias.detach().requires_grad_(true);
        var output = shape.PaddedOutput
            ? NarrowConvolution.Forward(xg, wg, bg, shape.Kernel / 2)
            : nn.functional.conv2d(xg, wg, bg, strides: [shape.Stride, shape.Stride], padding: [shape.Kernel / 2, shape.Kernel / 2]);
        output.backward([gradOutput]);
        return [output.detach(), xg.grad!.detach(), wg.grad!.detach(), bg.grad!.detach()];
    }
}
