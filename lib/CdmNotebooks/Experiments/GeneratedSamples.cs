using static TorchSharp.torch;

namespace CdmNotebooks.Experiments;

/// <summary>Images generated for requested classes, with the wall time it took; owns the image tensor.</summary>
public sealed class GeneratedSamples : IDisposable
{
    public GeneratedSamples(string method, Tensor images, long[] classes, double seconds)
    {
        Method = method;
        Images = images;
        Classes = classes;
        Seconds = seconds;
    }

    /// <summary>Which model or composition made them.</summary>
    public string Method { get; }

    /// <summary>[N,1,28,28] in [-1, 1].</summary>
    public Tensor Images { get; }

    /// <summary>The class requested for each image.</summary>
    public IReadOnlyList<long> Classes { get; }

    /// <summary>Sampling wall time in seconds.</summary>
    public double Seconds { get; }

    public void Dispose() => Images.Dispose();
}
