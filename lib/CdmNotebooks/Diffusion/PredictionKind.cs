namespace CdmNotebooks.Diffusion;

/// <summary>What a network is trained to output at (x_t, t).</summary>
public enum PredictionKind
{
    /// <summary>The noise eps with x_t = sqrt(abar) x0 + sqrt(1 - abar) eps.</summary>
    Epsilon,

    /// <summary>The clean image x0.</summary>
    X0,

    /// <summary>The velocity v = sqrt(abar) eps - sqrt(1 - abar) x0 (Salimans and Ho 2022).</summary>
    V,
}
