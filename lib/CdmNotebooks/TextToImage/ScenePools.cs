using CdmNotebooks.Data;

namespace CdmNotebooks.TextToImage;

/// <summary>The source sample IDs a scene generator may draw from, per object category, separately for training scenes and held-out scenes.</summary>
public sealed class ScenePools
{
    private readonly string[][] _train;
    private readonly string[][] _heldOut;

    /// <summary>Creates pools from IDs per category (20 lists each, in a fixed order; the generator draws by index so order matters for determinism).</summary>
    public ScenePools(IReadOnlyList<IReadOnlyList<string>> train, IReadOnlyList<IReadOnlyList<string>> heldOut)
    {
        _train = Check(train, nameof(train));
        _heldOut = Check(heldOut, nameof(heldOut));
        var overlap = _train.SelectMany(p => p).Intersect(_heldOut.SelectMany(p => p)).FirstOrDefault();
        if (overlap is not null)
        {
            throw new ArgumentException($"Sample '{overlap}' is in both the training and the held-out pool; held-out scenes must use unseen images.");
        }
    }

    /// <summary>Training-scene IDs of <paramref name="category"/>.</summary>
    public IReadOnlyList<string> Train(int category) => _train[category];

    /// <summary>Held-out-scene IDs of <paramref name="category"/>.</summary>
    public IReadOnlyList<string> HeldOut(int category) => _heldOut[category];

    /// <summary>Pools from the real datasets: training scenes use Fashion-MNIST train and MNIST-10k train; held-out scenes use Fashion-MNIST test and the MNIST-10k held-out list.</summary>
    public static ScenePools FromDatasets(LabeledImages fashionTrain, LabeledImages fashionTest, LabeledImages digitsTrain, LabeledImages digitsTest)
    {
        return new ScenePools(ByCategory(fashionTrain, digitsTrain), ByCategory(fashionTest, digitsTest));
    }

    private static IReadOnlyList<string>[] ByCategory(params LabeledImages[] sets)
    {
        var lists = Enumerable.Range(0, SceneVocabulary.ObjectCategoryCount).Select(_ => new List<string>()).ToArray();
        foreach (var set in sets)
        {
            for (var i = 0; i < set.Count; i++)
            {
                lists[SceneVocabulary.CategoryOf(set.Dataset, set.Labels[i])].Add(set.Ids[i]);
            }
        }

        return lists;
    }

    private static string[][] Check(IReadOnlyList<IReadOnlyList<string>> pools, string name)
    {
        ArgumentNullException.ThrowIfNull(pools, name);
        if (pools.Count != SceneVocabulary.ObjectCategoryCount)
        {
            throw new ArgumentException($"Pools need one ID list per object category ({SceneVocabulary.ObjectCategoryCount}); got {pools.Count}.", name);
        }

        for (var c = 0; c < pools.Count; c++)
        {
            if (pools[c].Count == 0)
            {
                throw new ArgumentException($"The pool of category {c} ('{SceneVocabulary.WordOf(c)}') is empty; every category needs source images.", name);
            }
        }

        return pools.Select(p => p.ToArray()).ToArray();
    }
}
