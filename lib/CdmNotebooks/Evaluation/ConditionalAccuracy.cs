using static TorchSharp.torch;

namespace CdmNotebooks.Evaluation;

/// <summary>Conditional accuracy: agreement of a classifier's argmax with the requested class of class-conditional samples.</summary>
public static class ConditionalAccuracy
{
    /// <summary>Scores logits [N,C] against the requested class of each of the N samples.</summary>
    public static ConditionalAccuracyResult FromLogits(Tensor logits, IReadOnlyList<long> requestedClasses)
    {
        ArgumentNullException.ThrowIfNull(requestedClasses);
        FeatureChecks.RequireMatrix(logits, nameof(logits), 1, "there must be at least one sample to score.");
        var n = (int)logits.shape[0];
        var classes = logits.shape[1];
        if (requestedClasses.Count != n)
        {
            throw new ArgumentException(
                $"Got {requestedClasses.Count} requested classes for {n} samples; pass exactly one class per sample, in sample order.",
                nameof(requestedClasses));
        }

        for (var i = 0; i < n; i++)
        {
            if (requestedClasses[i] < 0 || requestedClasses[i] >= classes)
            {
                throw new ArgumentException(
                    $"Requested class {requestedClasses[i]} of sample {i} is outside the classifier's 0..{classes - 1}.",
                    nameof(requestedClasses));
            }
        }

        long[] predicted;
        using (NewDisposeScope())
        {
            predicted = logits.detach().to(CPU).argmax(1).to(ScalarType.Int64).data<long>().ToArray();
        }

        var correct = 0;
        var perClass = new SortedDictionary<long, (int Correct, int Count)>();
        for (var i = 0; i < n; i++)
        {
            var hit = predicted[i] == requestedClasses[i];
            correct += hit ? 1 : 0;
            perClass.TryGetValue(requestedClasses[i], out var c);
            perClass[requestedClasses[i]] = (c.Correct + (hit ? 1 : 0), c.Count + 1);
        }

        var accuracy = (double)correct / n;
        return new ConditionalAccuracyResult(
            accuracy,
            correct,
            n,
            Math.Sqrt(accuracy * (1 - accuracy) / n),
            perClass.ToDictionary(kv => kv.Key, kv => (double)kv.Value.Correct / kv.Value.Count),
            predicted);
    }
}
