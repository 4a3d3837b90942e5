using CdmNotebooks.Data;
using static TorchSharp.torch;

namespace CdmNotebooks.TextToImage;

/// <summary>Renders scenes to images: each object's source image (downsampled 28->14 by 2x2 average pooling when cells are 14 pixels) is pasted into its cell of a canvas whose background is -1 (black).</summary>
public sealed class SceneRenderer
{
    private readonly Dictionary<string, (float[] Pixels, int Offset)> _sources = new(StringComparer.Ordinal);
    private readonly int _cell;

    /// <summary>Prepares the source images of <paramref name="sets"/> (any parts of Fashion-MNIST / MNIST-10k) for cells of <paramref name="cellSize"/> pixels (14 or 28).</summary>
    public SceneRenderer(int cellSize, params LabeledImages[] sets)
    {
        if (cellSize is not (14 or 28))
        {
            throw new ArgumentOutOfRangeException(nameof(cellSize), cellSize, "Cells are 14 (objects downsampled from 28) or 28 pixels.");
        }

        _cell = cellSize;
        foreach (var set in sets)
        {
            if (set.Images.shape[2] != 28 || set.Images.shape[3] != 28 || set.Images.shape[1] != 1)
            {
                throw new ArgumentException($"Scene sources must be [N,1,28,28]; {set.Dataset}/{set.Part} is [{string.Join(",", set.Images.shape)}].", nameof(sets));
            }

            float[] pixels;
            using (NewDisposeScope())
            {
                var images = cellSize == 14 ? nn.functional.avg_pool2d(set.Images, 2) : set.Images;
                pixels = images.contiguous().data<float>().ToArray();
            }

            for (var i = 0; i < set.Count; i++)
            {
                _sources[set.Ids[i]] = (pixels, i * cellSize * cellSize);
            }
        }
    }

    /// <summary>Side of a cell in pixels.</summary>
    public int CellSize => _cell;

    /// <summary>Side of the canvas in pixels.</summary>
    public int CanvasSize => 2 * _cell;

    /// <summary>A renderer over both real datasets, every part (loads them through <see cref="DatasetCatalog"/>).</summary>
    public static SceneRenderer ForRealData(int cellSize, DataLocations? locations = null)
    {
        using var fashion = DatasetCatalog.Load("fashion-mnist", "all", locations);
        using var digits = DatasetCatalog.Load("mnist10k", "all", locations);
        return new SceneRenderer(cellSize, fashion, digits);
    }

    /// <summary>Images [N,1,CanvasSize,CanvasSize] float32 in [-1, 1] of <paramref name="scenes"/>; a source ID this renderer does not hold is an error naming it.</summary>
    public Tensor Render(IReadOnlyList<Scene> scenes)
    {
        ArgumentNullException.ThrowIfNull(scenes);
        var side = CanvasSize;
        var canvas = new float[scenes.Count * side * side];
        Array.Fill(canvas, -1f);
        for (var n = 0; n < scenes.Count; n++)
        {
            var scene = scenes[n];
            for (var k = 0; k < scene.SourceIds.Count; k++)
            {
                if (!_sources.TryGetValue(scene.SourceIds[k], out var source))
                {
                    throw new KeyNotFoundException(
                        $"Scene {scene.Id} uses source '{scene.SourceIds[k]}', which this renderer was not given. Build it from the datasets and parts the scenes draw from (SceneRenderer.ForRealData).");
                }

                var cell = (int)scene.Layout.Objects[k].Cell;
                var top = (cell / 2) * _cell;
                var left = (cell % 2) * _cell;
                for (var row = 0; row < _cell; row++)
                {
                    Array.Copy(source.Pixels, source.Offset + row * _cell, canvas, n * side * side + (top + row) * side + left, _cell);
                }
            }
        }

        return tensor(canvas, new long[] { scenes.Count, 1, side, side }, ScalarType.Float32);
    }

    /// <summary>The true category of every cell, [N*4] in scene-major, reading order (objects 0..19, <see cref="SceneVocabulary.Empty"/> for empty cells).</summary>
    public static long[] CellCategories(IReadOnlyList<Scene> scenes)
    {
        ArgumentNullException.ThrowIfNull(scenes);
        var categories = new long[scenes.Count * 4];
        for (var n = 0; n < scenes.Count; n++)
        {
            for (var c = 0; c < 4; c++)
            {
                categories[n * 4 + c] = scenes[n].Layout.CategoryAt((GridCell)c);
            }
        }

        return categories;
    }
}
