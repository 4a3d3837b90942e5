using static TorchSharp.torch;

namespace CdmNotebooks.Data;

/// <summary>A set of 28x28 grayscale images with class labels and stable sample IDs; images are float32 [N,1,28,28] on the CPU in [-1, 1] (byte / 127.5 - 1).</summary>
public sealed class LabeledImages : IDisposable
{
    private readonly long[] _labels;
    private readonly string[] _ids;

    /// <summary>Wraps existing arrays; <paramref name="images"/> is owned (disposed with this object).</summary>
    public LabeledImages(string dataset, string part, Tensor images, long[] labels, string[] ids)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4 || images.shape[0] != labels.Length || labels.Length != ids.Length)
        {
            throw new ArgumentException(
                $"LabeledImages needs images [N,C,H,W] with N equal to the number of labels ({labels.Length}) and IDs ({ids.Length}); got [{string.Join(",", images.shape)}].");
        }

        Dataset = dataset;
        Part = part;
        Images = images;
        _labels = labels;
        _ids = ids;
    }

    /// <summary>"fashion-mnist", "mnist10k" or "union".</summary>
    public string Dataset { get; }

    /// <summary>"train", "test" or "all".</summary>
    public string Part { get; }

    /// <summary>Images [N,1,28,28], float32, CPU, values in [-1, 1].</summary>
    public Tensor Images { get; }

    /// <summary>Class labels 0..9.</summary>
    public IReadOnlyList<long> Labels => _labels;

    /// <summary>Stable sample IDs, e.g. <c>fashion-mnist/train/012345</c> or <c>mnist10k/7/0042</c>.</summary>
    public IReadOnlyList<string> Ids => _ids;

    /// <summary>Number of samples.</summary>
    public int Count => _ids.Length;

    /// <summary>Labels as an int64 tensor [N] (caller owns it).</summary>
    public Tensor LabelTensor() => tensor(_labels, ScalarType.Int64);

    /// <summary>The samples at <paramref name="indices"/>, in that order, as a new set (images copied).</summary>
    public LabeledImages Subset(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        foreach (var i in indices)
        {
            if (i < 0 || i >= Count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), $"Index {i} is outside 0..{Count - 1} of {Dataset}/{Part}.");
            }
        }

        using var index = tensor(indices.Select(i => (long)i).ToArray(), ScalarType.Int64);
        return new LabeledImages(Dataset, Part, Images.index_select(0, index),
            indices.Select(i => _labels[i]).ToArray(), indices.Select(i => _ids[i]).ToArray());
    }

    /// <summary>The samples with the given IDs (in this set's order); unknown IDs are an error naming the first few.</summary>
    public LabeledImages SelectIds(IEnumerable<string> ids)
    {
        var wanted = new HashSet<string>(ids, StringComparer.Ordinal);
        var indices = new List<int>(wanted.Count);
        for (var i = 0; i < _ids.Length; i++)
        {
            if (wanted.Remove(_ids[i]))
            {
                indices.Add(i);
            }
        }

        if (wanted.Count > 0)
        {
            throw new KeyNotFoundException(
                $"{wanted.Count} requested IDs are not in {Dataset}/{Part}, e.g. {string.Join(", ", wanted.Take(3))}. Check the dataset and part the IDs come from.");
        }

        return Subset(indices);
    }

    /// <summary>The samples whose IDs are NOT in <paramref name="ids"/> (used to retrain without forgotten samples).</summary>
    public LabeledImages Without(IEnumerable<string> ids)
    {
        var excluded = new HashSet<string>(ids, StringComparer.Ordinal);
        return Subset(Enumerable.Range(0, Count).Where(i => !excluded.Contains(_ids[i])).ToArray());
    }

    /// <summary>Releases the image tensor.</summary>
    public void Dispose() => Images.Dispose();
}
