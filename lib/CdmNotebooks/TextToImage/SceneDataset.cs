using System.Security.Cryptography;
using System.Text;
using CdmNotebooks.Data;

namespace CdmNotebooks.TextToImage;

/// <summary>The generated captioned scenes: training scenes and held-out scenes (held-out prompts, unseen images), plus their manifest.</summary>
public sealed class SceneDataset
{
    /// <summary>Wraps generated scenes; held-out captions must not occur among training captions.</summary>
    public SceneDataset(SceneDatasetConfig config, IReadOnlyList<Scene> train, IReadOnlyList<Scene> heldOut)
    {
        Config = config ?? throw new ArgumentNullException(nameof(config));
        Train = train ?? throw new ArgumentNullException(nameof(train));
        HeldOut = heldOut ?? throw new ArgumentNullException(nameof(heldOut));
        TrainPrompts = Train.Select(s => s.Caption).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        HeldOutPrompts = HeldOut.Select(s => s.Caption).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var shared = TrainPrompts.Intersect(HeldOutPrompts, StringComparer.Ordinal).FirstOrDefault();
        if (shared is not null)
        {
            throw new ArgumentException($"The prompt '{shared}' occurs among both training and held-out scenes; held-out prompts must be unseen.");
        }
    }

    /// <summary>The generator configuration.</summary>
    public SceneDatasetConfig Config { get; }

    /// <summary>Training scenes (IDs <c>scenes/train/NNNNNN</c>).</summary>
    public IReadOnlyList<Scene> Train { get; }

    /// <summary>Held-out scenes (IDs <c>scenes/heldout/NNNNNN</c>).</summary>
    public IReadOnlyList<Scene> HeldOut { get; }

    /// <summary>Distinct captions of the training scenes, sorted ordinally.</summary>
    public IReadOnlyList<string> TrainPrompts { get; }

    /// <summary>Distinct captions of the held-out scenes, sorted ordinally (disjoint from <see cref="TrainPrompts"/>).</summary>
    public IReadOnlyList<string> HeldOutPrompts { get; }

    /// <summary>The scene list as text: one line per scene, "ID\tcaption\tsource1,source2,...", training scenes first.</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        foreach (var scene in Train.Concat(HeldOut))
        {
            text.Append(scene.Id).Append('\t').Append(scene.Caption).Append('\t').AppendJoin(',', scene.SourceIds).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>The manifest describing these scenes.</summary>
    public SceneManifest ToManifest() => new()
    {
        Name = "scenes",
        Description = "Captioned composite scenes: 1-3 Fashion-MNIST/MNIST-10k objects on a 2x2 grid, regenerated deterministically by SceneGenerator from this manifest.",
        GeneratorVersion = Config.GeneratorVersion,
        Seed = Config.Seed,
        CellSize = Config.CellSize,
        CanvasSize = Config.CanvasSize,
        HeldOutPromptPercent = Config.HeldOutPromptPercent,
        TrainScenes = Train.Count,
        HeldOutScenes = HeldOut.Count,
        TrainPrompts = TrainPrompts.Count,
        HeldOutPrompts = HeldOutPrompts.Count,
        TrainScenesByObjectCount = Enumerable.Range(1, SceneLayout.MaxObjects).Select(k => Train.Count(s => s.Layout.Objects.Count == k)).ToArray(),
        TrainSources = "fashion-mnist/train + mnist10k/train",
        HeldOutSources = "fashion-mnist/test + mnist10k/test (the committed MNIST-10k held-out list)",
        Vocabulary = SceneVocabulary.Words,
        Grammar = SceneVocabulary.Grammar,
        SceneIdsSha256 = DataIdentity.Of(Train.Concat(HeldOut).Select(s => s.Id)),
        ContentSha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ToText()))),
        TrainSourceIdsSha256 = DataIdentity.Of(Train.SelectMany(s => s.SourceIds).Distinct(StringComparer.Ordinal)),
    };

    /// <summary>Regenerates the scenes a manifest records from <paramref name="pools"/> and checks they match it exactly (otherwise a <see cref="DataFormatException"/> naming the difference).</summary>
    public static SceneDataset FromManifest(SceneManifest manifest, ScenePools pools, string manifestPath)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var dataset = SceneGenerator.Generate(manifest.ToConfig(), pools);
        var regenerated = dataset.ToManifest();
        // The content hash covers every ID, caption and source; the vocabulary check catches a manifest from another grammar.
        if (regenerated.ContentSha256 != manifest.ContentSha256 || regenerated.SceneIdsSha256 != manifest.SceneIdsSha256
            || !regenerated.Vocabulary.SequenceEqual(manifest.Vocabulary))
        {
            throw new DataFormatException(manifestPath,
                $"regenerating the scenes does not reproduce the manifest (content sha256 {regenerated.ContentSha256}, manifest says {manifest.ContentSha256}).",
                "The source datasets or the generator differ from those that wrote the manifest: check `cdm data check`, or regenerate with `cdm scenes generate` and commit the new manifest.");
        }

        return dataset;
    }

    /// <summary>Loads the committed scene dataset: reads its manifest, draws from the verified real datasets and checks the regeneration.</summary>
    public static SceneDataset Load(string? manifestPath = null, DataLocations? locations = null)
    {
        manifestPath ??= SceneManifest.DefaultPath(locations?.ManifestsDirectory);
        var manifest = SceneManifest.Load(manifestPath);
        return FromManifest(manifest, LoadPools(locations), manifestPath);
    }

    /// <summary>Pools of the real datasets (Fashion-MNIST and MNIST-10k, train and test parts).</summary>
    public static ScenePools LoadPools(DataLocations? locations = null)
    {
        using var fashionTrain = DatasetCatalog.Load("fashion-mnist", "train", locations);
        using var fashionTest = DatasetCatalog.Load("fashion-mnist", "test", locations);
        using var digitsTrain = DatasetCatalog.Load("mnist10k", "train", locations);
        using var digitsTest = DatasetCatalog.Load("mnist10k", "test", locations);
        return ScenePools.FromDatasets(fashionTrain, fashionTest, digitsTrain, digitsTest);
    }
}
