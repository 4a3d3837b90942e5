using System.Text;
using System.Text.Json;
using CdmNotebooks.IO;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CdmNotebooks.TextToImage;

/// <summary>Small CNN classifying one grid cell of a scene into 21 classes (10 fashion items, 10 digits, empty); the basis of the built-in question answerers.</summary>
public sealed class CellClassifier : Module
{
    private readonly Conv2d conv1;
    private readonly Conv2d conv2;
    private readonly Linear hidden;
    private readonly Dropout dropout;
    private readonly Linear output;

    /// <summary>Builds the network with parameters drawn from torch's global generator (seed it first).</summary>
    public CellClassifier(CellClassifierConfig config)
        : base(nameof(CellClassifier))
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Config = config;
        var c = config.Channels;
        conv1 = Conv2d(1, c, 3, padding: 1);
        conv2 = Conv2d(c, 2 * c, 3, padding: 1);
        hidden = Linear(2 * c * 9, config.Hidden);
        dropout = Dropout(config.Dropout);
        output = Linear(config.Hidden, SceneVocabulary.CellClassCount);
        RegisterComponents();
    }

    /// <summary>The architecture and recipe.</summary>
    public CellClassifierConfig Config { get; }

    /// <summary>Logits [M, 21] of cells [M, 1, CellSize, CellSize] in [-1, 1].</summary>
    public Tensor Forward(Tensor cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.dim() != 4 || cells.shape[1] != 1 || cells.shape[2] != Config.CellSize || cells.shape[3] != Config.CellSize)
        {
            throw new ArgumentException($"Cells must be [M,1,{Config.CellSize},{Config.CellSize}]; got [{string.Join(",", cells.shape)}].", nameof(cells));
        }

        using var scope = NewDisposeScope();
        var h = functional.max_pool2d(functional.relu(conv1.forward(cells)), 2);
        // Adaptive pooling to 3x3 makes the head independent of the cell size (14 or 28).
        h = functional.adaptive_max_pool2d(functional.relu(conv2.forward(h)), [3, 3]).flatten(1);
        return output.forward(dropout.forward(functional.relu(hidden.forward(h)))).MoveToOuterDisposeScope();
    }

    /// <summary>Predicted category of every cell of <paramref name="images"/> [N,1,2s,2s]: int array [N*4] in scene-major reading order.</summary>
    public int[] PredictCells(Tensor images, int batchSize = 1024)
    {
        using var noGrad = no_grad();
        var wasTraining = training;
        eval();
        try
        {
            var predictions = new List<int>();
            var device = conv1.weight!.device;
            for (long start = 0; start < images.shape[0]; start += batchSize)
            {
                using var scope = NewDisposeScope();
                var chunk = images.narrow(0, start, Math.Min(batchSize, images.shape[0] - start));
                var cells = SplitCells(chunk).to(device);
                predictions.AddRange(Forward(cells).argmax(1).to(ScalarType.Int32).cpu().data<int>().ToArray());
            }

            return predictions.ToArray();
        }
        finally
        {
            train(wasTraining);
        }
    }

    /// <summary>The four cells of each image: [N,1,2s,2s] -> [N*4,1,s,s] in reading order (top left, top right, bottom left, bottom right).</summary>
    public static Tensor SplitCells(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4 || images.shape[1] != 1 || images.shape[2] != images.shape[3] || images.shape[2] % 2 != 0)
        {
            throw new ArgumentException($"Scene images must be [N,1,S,S] with even S; got [{string.Join(",", images.shape)}].", nameof(images));
        }

        using var scope = NewDisposeScope();
        var n = images.shape[0];
        var s = images.shape[2] / 2;
        return images.reshape(n, 1, 2, s, 2, s).permute(0, 2, 4, 1, 3, 5).reshape(n * 4, 1, s, s).MoveToOuterDisposeScope();
    }

    /// <summary>Writes the weights to <paramref name="path"/> and the configuration to path + ".json", each atomically.</summary>
    public void Save(string path)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            save(writer);
        }

        AtomicFile.WriteAllBytes(path, buffer.ToArray());
        AtomicFile.WriteAllText(path + ".json", JsonSerializer.Serialize(Config, new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>Loads a classifier saved by <see cref="Save"/>; a missing or mismatched file is a clear error.</summary>
    public static CellClassifier Load(string path)
    {
        if (!File.Exists(path) || !File.Exists(path + ".json"))
        {
            throw new FileNotFoundException($"Cell classifier '{path}' (weights + {Path.GetFileName(path)}.json) not found. Train it with `cdm scenes answerers --save {path}`.", path);
        }

        var config = JsonSerializer.Deserialize<CellClassifierConfig>(File.ReadAllText(path + ".json"))
                     ?? throw new InvalidOperationException($"'{path}.json' is empty; retrain the classifier.");
        var classifier = new CellClassifier(config);
        using var reader = new BinaryReader(File.OpenRead(path));
        classifier.load(reader, strict: true);
        classifier.eval();
        return classifier;
    }
}
