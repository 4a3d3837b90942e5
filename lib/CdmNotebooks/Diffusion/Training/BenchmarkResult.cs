namespace CdmNotebooks.Diffusion;

/// <summary>Throughput of one profile measured in one run: training and sampling images/s and achieved FLOP/s against measured matmul FLOP/s.</summary>
public sealed record BenchmarkResult(
    string Profile, long Parameters, long ForwardFlopsPerImage, int TrainBatch, double TrainImagesPerSecond, double TrainFlopsPerSecond,
    int SampleBatch, int SampleSteps, double SampleImagesPerSecond, double MatmulFlopsPerSecond)
{
    /// <summary>Achieved training FLOP/s as a fraction of the measured matmul FLOP/s.</summary>
    public double TrainFlopFraction => TrainFlopsPerSecond / MatmulFlopsPerSecond;
}
