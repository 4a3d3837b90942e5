using System.CommandLine;
using System.Diagnostics;
using CdmNotebooks.TextToImage;

namespace CdmNotebooks.Cli.Commands;

/// <summary>`cdm scenes ...`: the captioned-scene dataset (generate/verify its manifest) and the TIFA-style question answerers.</summary>
internal static class SceneCommands
{
    public static IEnumerable<Command> Create()
    {
        var scenes = new Command("scenes", "Captioned composite scenes for the text-to-image experiment (E6): dataset manifest and question answerers.");
        scenes.Subcommands.Add(CreateGenerate());
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
}
