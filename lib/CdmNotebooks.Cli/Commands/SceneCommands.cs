using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using CdmNotebooks.TextToImage;

namespace CdmNotebooks.Cli.Commands;

/// <summary>`cdm scenes ...`: the captioned-scene dataset (generate/verify its manifest) and the TIFA-style question answerers.</summary>
internal static class SceneCommands
{
    public static IEnumerable<Command> Create()
    {
        var scenes = new Command("scenes", "Captioned composite scenes for the text-to-image experiment (E6): dataset manifest and question answerers.");
        scenes.Subcommands.Add(CreateGenerate());
        scenes.Subcommands.Add(CreateAnswerers());
        yield return scenes;
    }

    private static Command CreateGenerate()
    {
        var defaults = new SceneDatasetConfig();
        var seed = new Option<int>("--seed") { Description = "Generator seed.", DefaultValueFactory = _ => defaults.Seed };
        var train = new Option<int>("--train") { Description = "Number of training scenes.", DefaultValueFactory = _ => defaults.TrainScenes };
        var heldOut = new Option<int>("--heldout") { Description = "Number of held-out scenes.", DefaultValueFactory = _ => defaults.HeldOutScenes };
        var percent = new Option<int>("--heldout-prompt-percent") { Description = "Percent of all captions reserved as held-out prompts.", DefaultValueFactory = _ => defaults.HeldOutPromptPercent };
        var cell = new Option<int>("--cell-size") { Description = "14 (28x28 canvas, objects downsampled) or 28 (56x56 canvas).", DefaultValueFactory = _ => defaults.CellSize };
        var output = new Option<string?>("--out") { Description = "Manifest path (default data-manifests/datasets/scenes.json)." };
        var verify = new Option<bool>("--verify") { Description = "Regenerate the scenes of the committed manifest and check every checksum instead of writing." };
        var command = new Command("generate",
            "Generate the captioned-scene dataset deterministically from Fashion-MNIST and MNIST-10k and write its manifest " +
            "(generator version, seed, counts, vocabulary, grammar, sha256 of scene IDs and content). Example: cdm scenes generate; cdm scenes generate --verify")
        {
            seed, train, heldOut, percent, cell, output, verify,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(output) ?? SceneManifest.DefaultPath();
            var watch = Stopwatch.StartNew();
            if (parse.GetValue(verify))
            {
                var loaded = CliProgress.Run("regenerating scenes", () => SceneDataset.Load(path));
                Console.WriteLine($"  [ok] {path}: {loaded.Train.Count} training and {loaded.HeldOut.Count} held-out scenes regenerate identically ({watch.Elapsed.TotalSeconds:F1} s)");
                return 0;
            }

            var config = new SceneDatasetConfig
            {
                Seed = parse.GetValue(seed),
                TrainScenes = parse.GetValue(train),
                HeldOutScenes = parse.GetValue(heldOut),
                HeldOutPromptPercent = parse.GetValue(percent),
                CellSize = parse.GetValue(cell),
            };
            var dataset = CliProgress.Run("generating scenes", () => SceneGenerator.Generate(config, SceneDataset.LoadPools()));
            var manifest = dataset.ToManifest();
            manifest.Save(path);
            Console.WriteLine($"{manifest.TrainScenes} training scenes ({manifest.TrainPrompts} distinct prompts), {manifest.HeldOutScenes} held-out scenes " +
                              $"({manifest.HeldOutPrompts} held-out prompts), canvas {manifest.CanvasSize}x{manifest.CanvasSize} -> {path} ({watch.Elapsed.TotalSeconds:F1} s)");
            Console.WriteLine($"  content sha256 {manifest.ContentSha256}");
            foreach (var scene in dataset.Train.Take(3))
            {
                Console.WriteLine($"  {scene.Id}: \"{scene.Caption}\" <- {string.Join(", ", scene.SourceIds)}");
            }

            return 0;
        });
        return command;
    }

    private static Command CreateAnswerers()
    {
        var defaults = new CellClassifierConfig();
        var steps = new Option<int>("--steps") { Description = "Optimizer steps of the cell classifier.", DefaultValueFactory = _ => defaults.TrainSteps };
        var seed = new Option<long>("--seed") { Description = "Seed of classifier initialization and batches.", DefaultValueFactory = _ => defaults.Seed };
        var batch = new Option<int>("--batch") { Description = "Cells per step.", DefaultValueFactory = _ => defaults.BatchSize };
        var trainScenes = new Option<int?>("--train-scenes") { Description = "Use only the first N training scenes (default: all in the manifest)." };
        var save = new Option<string?>("--save") { Description = "Write the trained classifier (weights + .json config) to this path." };
        var command = new Command("answerers",
            "Train the TIFA-style question answerers (per-cell classifier over 21 classes and the counter derived from it) on real rendered " +
            "training scenes and report their accuracy on real held-out scenes: cell, counter and scene accuracy, and the TIFA-style score of " +
            "real images with their own captions (the metric's ceiling) and with mismatched captions. Example: cdm scenes answerers")
        {
            steps, seed, batch, trainScenes, save,
        };
        command.SetAction(parse =>
        {
            var watch = Stopwatch.StartNew();
            var dataset = CliProgress.Run("loading scenes", () => SceneDataset.Load());
            var config = defaults with { CellSize = dataset.Config.CellSize, TrainSteps = parse.GetValue(steps), Seed = parse.GetValue(seed), BatchSize = parse.GetValue(batch) };
            var renderer = CliProgress.Run("preparing source images", () => SceneRenderer.ForRealData(dataset.Config.CellSize));
            var train = dataset.Train.Take(parse.GetValue(trainScenes) ?? dataset.Train.Count).ToArray();
            using var trainImages = renderer.Render(train);
            using var heldOutImages = renderer.Render(dataset.HeldOut);
            Console.WriteLine($"{train.Length} training scenes, {dataset.HeldOut.Count} held-out scenes (canvas {dataset.Config.CanvasSize}), data ready in {watch.Elapsed.TotalSeconds:F1} s");
            var trainWatch = Stopwatch.StartNew();
            using var classifier = CellClassifierTrainer.Train(config, trainImages, SceneRenderer.CellCategories(train),
                (step, loss) => { if (step % 500 == 0) Console.WriteLine($"  step {step}/{config.TrainSteps} loss {loss:F4}"); });
            Console.WriteLine($"cell classifier trained: {config.TrainSteps} steps x {config.BatchSize} cells in {trainWatch.Elapsed.TotalSeconds:F1} s");
            var saved = parse.GetValue(save);
            if (saved is not null)
            {
                classifier.Save(saved);
                Console.WriteLine($"saved -> {saved} (+ .json)");
            }

            var accuracy = AnswererEvaluation.Evaluate(classifier, heldOutImages, dataset.HeldOut);
            var f = CultureInfo.InvariantCulture;
            Console.WriteLine($"Answerer accuracy on {accuracy.Scenes} real held-out scenes (held-out prompts, unseen images):");
            Console.WriteLine(string.Format(f, "  cell (21-way)        {0:P2}", accuracy.CellAccuracy));
            Console.WriteLine(string.Format(f, "  object cells         {0:P2}", accuracy.ObjectCellAccuracy));
            Console.WriteLine(string.Format(f, "  empty cells          {0:P2}", accuracy.EmptyCellAccuracy));
            Console.WriteLine(string.Format(f, "  counter (objects)    {0:P2}", accuracy.CountAccuracy));
            Console.WriteLine(string.Format(f, "  whole scene          {0:P2}", accuracy.SceneAccuracy));
            foreach (var (label, result) in new[] { ("own captions (ceiling)", accuracy.TrueCaptions), ("mismatched captions", accuracy.MismatchedCaptions) })
            {
                Console.WriteLine(string.Format(f, "  TIFA-style, {0,-22} {1:F4} [{2:F4}, {3:F4}] ({4:P0} CI, {5} prompts, {6} questions); by kind: {7}",
                    label, result.Score, result.ConfidenceLow, result.ConfidenceHigh, result.ConfidenceLevel, result.Prompts, result.Questions,
                    string.Join(", ", result.AccuracyByKind.Select(kv => string.Format(f, "{0} {1:F4}", kv.Key, kv.Value)))));
            }

            Console.WriteLine($"total {watch.Elapsed.TotalSeconds:F1} s (timings share 2 cores with other engineers' jobs)");
            return 0;
        });
        return command;
    }
}
