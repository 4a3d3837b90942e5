namespace CdmNotebooks.Diffusion;

/// <summary>Implemented by stateful denoisers (e.g. a composition tracking the sampling path); samplers call it once before the first step.</summary>
public interface ISamplingPathObserver
{
    /// <summary>Resets per-path state for a new sampling run over <paramref name="batch"/> samples.</summary>
    void BeginSampling(int batch);
}
