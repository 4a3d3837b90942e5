using System.Diagnostics;
using CdmNotebooks.Composition;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Evaluation;
using CdmNotebooks.TextToImage;
using static TorchSharp.torch;

namespace CdmNotebooks.Experiments.TextToImage;

/// <summary>How E6 samples and reads scenes: the held-out prompts and reference scenes, guided ancestral sampling of every prompt from one noise seed (with the composition's weight statistics), and the answerer's cell logits.</summary>
internal static class SceneSampling
{
    private const int SampleBatch = 100;

    /// <summary>Evaluation scenes: the first held-out scenes with distinct captions; reference: the next held-out scenes not among them.</summary>
    internal static (Scene[] Eval, Scene[] Reference) HeldOutScenes(IReadOnlyList<Scene> heldOut, TextToImageSettings settings)
    {
        // Cross-domain prompts ask for what the private part holds: scenes with a garment.
        var pool = settings.CrossDomain ? heldOut.Where(SceneSplit.HasGarment).ToArray() : heldOut;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var eval = pool.Where(s => seen.Add(s.Caption)).Take(settings.EvalPrompts).ToArray();
        var chosen = eval.Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
        var reference = pool.Where(s => !chosen.Contains(s.Id)).Take(settings.ReferenceScenes).ToArray();
        if (eval.Length < settings.EvalPrompts || reference.Length < settings.ReferenceScenes)
        {
            throw new ArgumentException($"The held-out scenes{(settings.CrossDomain ? " with a garment" : "")} give {eval.Length} distinct prompts and {reference.Length} other reference scenes; " +
                                        $"the settings ask for {settings.EvalPrompts} and {settings.ReferenceScenes}. Lower EvalPrompts or ReferenceScenes.");
        }

        return (eval, reference);
    }

    internal static (Tensor Images, double Seconds, double? SumError, double? TopWeight) Sample(
        ExperimentRun run, TextToImageSettings settings, IDenoiser denoiser, IReadOnlyList<string> prompts, int side)
    {
        var sampler = SamplerFactory.Create("ddpm");
        using var generator = new Generator().manual_seed(run.Seed * 1000 + 700);
        var options = new SamplingOptions { Steps = settings.SamplerSteps, GuidanceScale = settings.GuidanceScale, ClipX0 = true };
        var composed = denoiser as ComposedDenoiser;
        double? sumError = composed is null ? null : 0.0;
        var topWeights = new List<double>();
        var batches = new List<Tensor>();
        var clock = Stopwatch.StartNew();
        try
        {
            for (var start = 0; start < prompts.Count; start += SampleBatch)
            {
                var count = Math.Min(SampleBatch, prompts.Count - start);
                var conditioning = TextConditioning.FromCaptions(prompts.Skip(start).Take(count).ToArray());
                try
                {
                    batches.Add(sampler.Sample(denoiser, [count, 1, side, side], conditioning, generator, options, run.Cancellation));
                }
                finally
                {
                    conditioning.Embedding?.Dispose();
                }

                if (composed?.Trajectory is { } trajectory)
                {
                    for (var step = 0; step < trajectory.Steps; step++)
                    {
                        for (var n = 0; n < trajectory.Batch; n++)
                        {
                            var sum = 0.0;
                            for (var k = 0; k < trajectory.Shards; k++)
                            {
                                sum += trajectory.Weight(step, n, k);
                            }

                            sumError = Math.Max(sumError!.Value, Math.Abs(sum - 1));
                        }
                    }

                    // The guided batch is [conditional; null]: the weights that matter are the conditional rows at the last step.
                    var last = trajectory.Steps - 1;
                    for (var n = 0; n < Math.Min(count, trajectory.Batch); n++)
                    {
                        topWeights.Add(Enumerable.Range(0, trajectory.Shards).Max(k => (double)trajectory.Weight(last, n, k)));
                    }
                }
            }

            return (cat(batches.ToArray(), 0), clock.Elapsed.TotalSeconds, sumError, topWeights.Count == 0 ? null : topWeights.Average());
        }
        finally
        {
            foreach (var b in batches)
            {
                b.Dispose();
            }
        }
    }

    /// <summary>Cell-classifier logits [4N, 21] of every cell of <paramref name="images"/>: the features of <see cref="FidName"/>.</summary>
    internal static Tensor CellLogits(CellClassifier classifier, Tensor images)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        classifier.eval();
        return classifier.Forward(CellClassifier.SplitCells(images)).MoveToOuterDisposeScope();
    }
}
