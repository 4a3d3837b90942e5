namespace CdmNotebooks.Composition;

/// <summary>Shape of a <see cref="RouterNetwork"/>, saved beside its weights so it can be rebuilt.</summary>
/// <param name="InputChannels">Image channels C of x_t.</param>
/// <param name="Outputs">Logits produced: the shard count for a classifier, 1 for a density-ratio head.</param>
/// <param name="BaseChannels">Width of the first convolution (doubled after downsampling).</param>
/// <param name="TimeFeatures">Size of the sinusoidal timestep embedding.</param>
/// <param name="Classes">Number of class labels it is conditioned on (0 = unconditional); label -1 is the null class.</param>
public sealed record RouterNetworkConfig(int InputChannels, int Outputs, int BaseChannels = 32, int TimeFeatures = 64, int Classes = 0)
{
    /// <summary>Throws on sizes that cannot build a network.</summary>
    public RouterNetworkConfig Validated() =>
        InputChannels < 1 || Outputs < 1 || BaseChannels < 1 || TimeFeatures < 2 || TimeFeatures % 2 != 0 || Classes < 0
            ? throw new ArgumentOutOfRangeException(nameof(InputChannels), $"Invalid router network configuration {this}: sizes must be positive and TimeFeatures even.")
            : this;
}
