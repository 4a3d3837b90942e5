using CdmNotebooks.TextToImage;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.TextToImage;

/// <summary>Fine-tuning a text model: it starts from the start model's weights, leaves the start untouched, and refuses another architecture.</summary>
public sealed class TextDiffusionTrainerTests
{
    private static readonly TextDiffusionConfig _tiny = TinyTextModel.Config with { BatchSize = 4, TrainSteps = 1, Seed = 3 };

    private static readonly string[] _captions = ["a 7 top left", "a sneaker bottom right", "a 2 top right and a bag bottom left", "a 0 bottom left"];

    [Fact]
    public void FineTuneStartsFromTheStartWeightsAndLeavesTheStartUnchanged()
    {
        using var images = rand(4, 1, 28, 28) * 2 - 1;
        using var start = TextDiffusionTrainer.Train(_tiny with { TrainSteps = 2 }, images, _captions);
        var startFingerprint = TextDiffusionCheckpoint.Fingerprint(start);
        // One AdamW step of learning rate 1e-7 moves each weight by about 1e-7, so a fine-tuned model stays next to its start, far from a fresh initialization.
        var config = _tiny with { LearningRate = 1e-7, Seed = 9 };

        using var tuned = TextDiffusionTrainer.FineTune(config, start, images, _captions);
        using var fresh = TextDiffusionTrainer.Train(config, images, _captions);

        Assert.Equal(startFingerprint, TextDiffusionCheckpoint.Fingerprint(start));
        Assert.Equal(9, tuned.Config.Seed);
        Assert.True(MaxDifference(tuned, start) < 1e-5, $"fine-tuned weights moved {MaxDifference(tuned, start):E2} from the start");
        Assert.True(MaxDifference(fresh, start) > 1e-2, $"a fresh model of another seed is only {MaxDifference(fresh, start):E2} from the start");
    }

    [Fact]
    public void FineTuneRefusesAConfigurationOfOtherNetworksOrSchedule()
    {
        using var images = rand(4, 1, 28, 28) * 2 - 1;
        using var start = new TextDiffusionModel(_tiny);

        var wider = Assert.Throws<ArgumentException>(() => TextDiffusionTrainer.FineTune(_tiny with { Model = _tiny.Model with { BaseChannels = 16 } }, start, images, _captions));
        Assert.Contains("networks or schedule", wider.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => TextDiffusionTrainer.FineTune(_tiny with { ScheduleSteps = 200 }, start, images, _captions));
        Assert.Throws<ArgumentException>(() => TextDiffusionTrainer.FineTune(_tiny, start, images, _captions.Take(3).ToArray()));
    }

    private static double MaxDifference(TextDiffusionModel a, TextDiffusionModel b) =>
        a.Parameters().Zip(b.Parameters()).Max(p =>
        {
            using var difference = (p.First - p.Second).abs().max();
            return difference.item<float>();
        });
}
