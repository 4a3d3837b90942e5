using CdmNotebooks.Composition;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Protection;
using CdmNotebooks.Tests.Composition;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.Protection;

public sealed class AttributionTests
{
    [Fact]
    public void CreditGoesToTheShardWhoseModeTheSampleLandsIn()
    {
        var set = new GaussianShardSet();
        var composed = new ComposedDenoiser(set.Denoisers, set.Exact, options: new CompositionOptions(RecordWeights: true));
        using var samples = new DdpmSampler().Sample(composed, [200, 2, 1, 1], Conditioning.None, new Generator(21), new SamplingOptions { Steps = 50, Device = CPU });
        var (nearest, _) = set.NearestMode(samples);
        var credit = Attribution.PerSample(composed.Trajectory!);
        var agree = credit.Count(c => c.Credited == nearest[c.Sample]) / 200.0;
        Assert.True(agree > 0.95, $"time-averaged credit matches the landing mode for only {agree:P1} of samples");
        Assert.True(credit.Count(c => c.Final[(int)nearest[c.Sample]] > 0.99) > 190);

        var curve = Attribution.Aggregate(composed.Trajectory!);
        Assert.Equal(50, curve.Timesteps.Count);
        Assert.Equal(999, curve.Timesteps[0]);
        // At the first (pure-noise) step the posterior is the prior; at the end the batch shares follow the priors only statistically.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(set.Priors.Global[i], curve.MeanWeights[0][i], 2);
            Assert.Equal(set.Priors.Global[i], curve.MeanWeights[^1][i], 1);
        }
    }
}
