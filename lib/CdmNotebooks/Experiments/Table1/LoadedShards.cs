using CdmNotebooks.Diffusion;

namespace CdmNotebooks.Experiments.Table1;

/// <summary>The EMA denoisers of cached models, loaded for one measurement and released (native weights) when it ends.</summary>
internal sealed class LoadedShards : IDisposable
{
    private readonly List<UNetDenoiser> _denoisers = new();

    public LoadedShards(IEnumerable<TrainedModel> models)
    {
        try
        {
            foreach (var model in models)
            {
                _denoisers.Add(model.LoadDenoiser());
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The loaded denoisers, in the order of the models given.</summary>
    public IReadOnlyList<UNetDenoiser> Denoisers => _denoisers;

    public void Dispose()
    {
        foreach (var denoiser in _denoisers)
        {
            denoiser.Network.Dispose();
        }

        _denoisers.Clear();
    }
}
