using static TorchSharp.torch;

namespace CdmNotebooks.Runtime;

/// <summary>
/// Runs a convolution with few output channels through oneDNN correctly. libtorch 2.10's oneDNN (TorchSharp 0.107) returns wrong,
/// sometimes non-finite, input gradients for 3x3 convolutions whose output channels are fewer than its SIMD block (8 under the AVX2
/// cap, 16 with AVX-512): `cdm bench --onednn-check` measured a 96 % relative error on every call for the UNet's 16 -> 1 output
/// convolution, and none for any other layer. Zero-padding the output channels to a multiple of 16 computes the same function with
/// correct gradients; the parameters keep their shapes, so checkpoints are unaffected.
/// </summary>
public static class NarrowConvolution
{
    /// <summary>The channel multiple that is safe under every oneDNN ISA seen here (AVX-512 blocks by 16, AVX2 by 8).</summary>
    public const int SafeChannelMultiple = 16;

    /// <summary>conv2d(<paramref name="input"/>, <paramref name="weight"/>, <paramref name="bias"/>) with stride 1 and the given padding, evaluated with the output channels zero-padded to <see cref="SafeChannelMultiple"/>.</summary>
    public static Tensor Forward(Tensor input, Tensor weight, Tensor? bias, long padding)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        var outChannels = weight.shape[0];
        var missing = (SafeChannelMultiple - outChannels % SafeChannelMultiple) % SafeChannelMultiple;
        if (missing == 0)
        {
            return nn.functional.conv2d(input, weight, bias, padding: [padding, padding]);
        }

        using var scope = NewDisposeScope();
        var zeroWeights = zeros([missing, weight.shape[1], weight.shape[2], weight.shape[3]], weight.dtype, weight.device);
        var paddedWeight = cat([weight, zeroWeights], 0);
        var paddedBias = bias is null ? null : cat([bias, zeros([missing], bias.dtype, bias.device)], 0);
        return nn.functional.conv2d(input, paddedWeight, paddedBias, padding: [padding, padding])
            .narrow(1, 0, outChannels).MoveToOuterDisposeScope();
    }
}
