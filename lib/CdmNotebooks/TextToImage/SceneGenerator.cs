using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using MathNet.Numerics.Random;

namespace CdmNotebooks.TextToImage;

/// <summary>Deterministic generator of captioned scenes: a seeded Mersenne Twister draws each layout and source image; held-out prompts are a seeded hash subset of all captions.</summary>
/// <remarks>
/// Algorithm (version 1), per scene: draw the object count k uniformly from 1..3, shuffle the four cells and keep the first k,
/// draw each object's category uniformly from 0..19; redraw the whole layout until its caption is on the right side of the
/// held-out prompt split; then draw each object's source uniformly from its category's pool (training or held-out part),
/// redrawing an ID already used in the same scene. Training scenes are drawn first, then held-out scenes, from one PRNG.
/// </remarks>
public static class SceneGenerator
{
    /// <summary>Generates the scenes of <paramref name="config"/> from <paramref name="pools"/>.</summary>
    public static SceneDataset Generate(SceneDatasetConfig config, ScenePools pools)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(pools);
        config.Validate();
        var rng = new MersenneTwister(config.Seed, threadSafe: false);
        var train = new Scene[config.TrainScenes];
        for (var i = 0; i < train.Length; i++)
        {
            var layout = DrawLayout(rng, config, heldOut: false);
            train[i] = new Scene($"scenes/train/{i:D6}", layout, DrawSources(rng, layout, pools.Train));
        }

        var heldOut = new Scene[config.HeldOutScenes];
        for (var i = 0; i < heldOut.Length; i++)
        {
            var layout = DrawLayout(rng, config, heldOut: true);
            heldOut[i] = new Scene($"scenes/heldout/{i:D6}", layout, DrawSources(rng, layout, pools.HeldOut));
        }

        return new SceneDataset(config, train, heldOut);
    }

    /// <summary>Whether <paramref name="caption"/> is a held-out prompt under <paramref name="config"/>: the first four bytes of sha256("seed\ncaption"), little-endian, modulo 100, are below the percentage.</summary>
    public static bool IsHeldOutPrompt(string caption, SceneDatasetConfig config)
    {
        ArgumentNullException.ThrowIfNull(caption);
        ArgumentNullException.ThrowIfNull(config);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{config.Seed}\n{caption}"));
        return BinaryPrimitives.ReadUInt32LittleEndian(hash) % 100 < (uint)config.HeldOutPromptPercent;
    }

    private static SceneLayout DrawLayout(MersenneTwister rng, SceneDatasetConfig config, bool heldOut)
    {
        while (true)
        {
            var count = 1 + rng.Next(SceneLayout.MaxObjects);
            var cells = new[] { GridCell.TopLeft, GridCell.TopRight, GridCell.BottomLeft, GridCell.BottomRight };
            Data.Shuffling.Shuffle(cells, rng);
            var layout = new SceneLayout(cells.Take(count).Select(cell => new PlacedObject(rng.Next(SceneVocabulary.ObjectCategoryCount), cell)));
            if (IsHeldOutPrompt(layout.Caption, config) == heldOut)
            {
                return layout;
            }
        }
    }

    private static string[] DrawSources(MersenneTwister rng, SceneLayout layout, Func<int, IReadOnlyList<string>> pool)
    {
        var ids = new string[layout.Objects.Count];
        for (var k = 0; k < ids.Length; k++)
        {
            var candidates = pool(layout.Objects[k].Category);
            string id;
            var attempts = 0;
            do
            {
                id = candidates[rng.Next(candidates.Count)];
                if (++attempts > 1000)
                {
                    throw new InvalidOperationException($"The pool of '{SceneVocabulary.WordOf(layout.Objects[k].Category)}' is too small to fill a scene with distinct images.");
                }
            }
            while (Array.IndexOf(ids, id, 0, k) >= 0);

            ids[k] = id;
        }

        return ids;
    }
}
