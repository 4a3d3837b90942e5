using CdmNotebooks.Diffusion;

namespace CdmNotebooks.Tests.Cli;

/// <summary>`cdm train --base` fine-tunes one shard from a base checkpoint as an independent process, records the base in its checkpoints, and refuses a base that saw the shard's data.</summary>
public sealed class CliFineTuneTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cdm-cli-fine-tune-").FullName;

    [Fact]
    public void TrainWithBaseRecordsTheLineageAndRefusesABaseThatSawTheShard()
    {
        var (code, output, error) = CliProcess.Run(["train", "--dataset", "fashion-mnist-public", "--profile", "smoke", "--steps", "4", "--out", "base"], _root);
        Assert.True(code == 0, $"base training failed ({code}): {output}{error}");
        var baseCheckpoint = Checkpoint.List(Path.Combine(_root, "base")).First();

        (code, output, error) = CliProcess.Run(["train", "--dataset", "mnist10k", "--split", "mnist10k-by-class-8", "--shard", "3", "--profile", "smoke",
            "--steps", "4", "--base", "base", "--learning-rate", "0.001", "--min-snr-gamma", "5", "--lr-decay", "cosine", "--out", "shard"], _root);
        Assert.True(code == 0, $"fine-tuning failed ({code}): {output}{error}");
        var header = Checkpoint.ReadHeader(Checkpoint.List(Path.Combine(_root, "shard")).First());
        Assert.Equal(BaseLineage.Of(Checkpoint.ReadHeader(baseCheckpoint)), header.Config.Base);
        Assert.Equal(0.001, header.Config.LearningRate);
        Assert.Equal(5, header.Config.MinSnrGamma);
        Assert.Equal("cosine", header.Config.LearningRateDecay);

        // All of Fashion-MNIST train includes the base's public part: refused before anything trains, naming the overlap.
        (code, _, error) = CliProcess.Run(["train", "--dataset", "fashion-mnist", "--profile", "smoke", "--steps", "4", "--base", "base", "--out", "overlap"], _root);
        Assert.Equal(2, code);
        Assert.Contains("holds 10000 of the 60000 IDs this model trains on", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root, "overlap")) && Checkpoint.List(Path.Combine(_root, "overlap")).Any());
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
