using System.Globalization;
using CdmNotebooks.Data;
using CdmNotebooks.Diffusion;
using CdmNotebooks.Experiments;
using CdmNotebooks.Experiments.TextToImage;
using CdmNotebooks.Reporting;
using CdmNotebooks.TextToImage;
using CdmNotebooks.Tests.TextToImage;
using static TorchSharp.torch;

namespace CdmNotebooks.Tests.Experiments;

/// <summary>E6 end to end in the smoke profile, plus its pieces: the scene split, text models in the model cache with their lineage, the chance baseline.</summary>
[Collection("Experiments")]
public sealed class TextToImageExperimentTests
{
    private static readonly TrainingConfig _tiny = TinyTextModel.Config with { CheckpointEvery = 500 };

    [Fact]
    [Trait("Category", "ExperimentSmoke")]
    public void SmokeRunWritesOneRowPerMethodAndPassesItsChecks()
    {
        var results = Directory.CreateTempSubdirectory("cdm-text-to-image-").FullName;
        try
        {
            var run = new ExperimentRun("text-to-image", "smoke", resultsRoot: results) { Log = _ => { } };
            var report = new TextToImageExperiment().Run(run);

            Assert.True(report.Passed, string.Join("\n", report.Checks.Select(c => $"{c.Name}: {c.Passed} ({c.Detail})")));
            // Smoke gates text conditioning (quality) beside the three structural checks; only standard also asks for TIFA above chance.
            Assert.Equal(4, report.Checks.Count);
            var lines = File.ReadAllLines(Path.Combine(run.ResultsDirectory, "text-to-image.csv"));
            Assert.Equal(string.Join(",", ResultRows<TextToImageRow>.Columns), lines[0]);
            // Real scenes, chance, and thirteen generated methods (random pick and the soup only over the fine-tuned shards).
            Assert.Equal(15, lines.Length - 1);
            var table = report.Tables.First().Value;
            var monolithic = Enumerable.Range(0, table.Rows.Count).Single(r => table.Get(r, "method") == TextToImageExperiment.Monolithic);
            double Value(string column) => double.Parse(table.Get(monolithic, column), CultureInfo.InvariantCulture);
            // The score is the centre of a real bootstrap interval (a constant or a copied bound would fail one of these).
            Assert.True(Value("tifa_ci_low") <= Value("tifa") && Value("tifa") <= Value("tifa_ci_high") && Value("tifa_ci_low") < Value("tifa_ci_high"),
                $"TIFA {Value("tifa")} outside its interval [{Value("tifa_ci_low")}, {Value("tifa_ci_high")}]");
            // Seven compositions record their weights: Ito and naive over three kinds of shards, and random pick over the fine-tuned ones.
            Assert.Equal(7, Enumerable.Range(0, table.Rows.Count).Count(r => table.Get(r, "max_weight_sum_error") != ""));
            var relative = report.Tables.Values.ElementAt(1);
            // From-scratch shards (CDM x 2 routers, one shard alone) against the monolithic model from scratch; fine-tuned (CDM x 3, soup, one shard),
            // prompt-tuned (2) and the base against the fine-tuned one.
            Assert.Equal(11, relative.Rows.Count);
            Assert.All(Enumerable.Range(0, relative.Rows.Count), r => Assert.Equal(
                relative.Get(r, "method").Contains("full", StringComparison.Ordinal)
                    ? TextToImageExperiment.Monolithic
                    : TextToImageExperiment.MonolithicFineTuned,
                relative.Get(r, "reference")));
            Assert.All(report.Files, file => Assert.True(File.Exists(file), $"missing {file}"));
            Assert.Contains(report.Images, i => i.Path.EndsWith("grid-all-methods.png", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(results, recursive: true);
        }
    }

    [Fact]
    public void TextModelsCacheThroughTheModelCacheWithTheirBaseInTheirKeyAndCheckpoint()
    {
        var root = Directory.CreateTempSubdirectory("cdm-text-cache-").FullName;
        try
        {
            var cache = new ModelCache(root);
            TrainedModel Train(TrainingConfig config, string shard, TrainedModel? from = null)
            {
                var identity = new TrainingDataIdentity("scenes", "tiny", shard, $"tiny-{shard}-1");
                return cache.GetOrTrain(config, identity, () => TinyTextModel.Data(shard), baseModel: from);
            }

            var baseA = Train(_tiny, "public-a");
            var baseB = Train(_tiny with { Seed = 2 }, "public-b");
            Assert.False(baseA.FromCache);
            var lineage = BaseLineage.Of(Checkpoint.ReadHeader(baseA.CheckpointPath));
            var tuned = Train(_tiny with { Seed = 5, Base = lineage }, "0", baseA);
            Assert.False(tuned.FromCache);
            Assert.Equal(lineage, Checkpoint.ReadHeader(tuned.CheckpointPath).Config.Base);
            var fromB = Train(_tiny with { Seed = 5, Base = BaseLineage.Of(Checkpoint.ReadHeader(baseB.CheckpointPath)) }, "0", baseB);
            Assert.NotEqual(tuned.CheckpointPath, fromB.CheckpointPath);
            Assert.NotEqual(tuned.CheckpointPath, Train(_tiny with { Seed = 5 }, "0").CheckpointPath);
            var again = cache.GetOrTrain(_tiny with { Seed = 5, Base = lineage }, tuned.Data, () => throw new InvalidOperationException("a cached model must not load its data"));
            Assert.True(again.FromCache);
            Assert.Equal(tuned.CheckpointPath, again.CheckpointPath);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void AnswererIsCachedByConfigurationAndDataAndReusedWithoutItsData()
    {
        var root = Directory.CreateTempSubdirectory("cdm-answerer-cache-").FullName;
        try
        {
            var cache = new AnswererCache(root);
            var config = new CellClassifierConfig { TrainSteps = 2, BatchSize = 8, Channels = 4, Hidden = 8 };
            (Tensor, IReadOnlyList<long>) Data()
            {
                var images = rand(4, 1, 28, 28) * 2 - 1;
                return (images, Enumerable.Range(0, 16).Select(i => (long)(i % 3)).ToArray());
            }

            var first = cache.GetOrTrain(config, "scenes-a", Data);
            Assert.True(File.Exists(first.Path));
            var again = cache.GetOrTrain(config, "scenes-a", () => throw new InvalidOperationException("a cached answerer must not load its data"));
            Assert.Equal(first, again);
            Assert.NotEqual(first.Key, cache.GetOrTrain(config, "scenes-b", Data).Key);
            Assert.NotEqual(first.Key, cache.GetOrTrain(config with { Seed = 2 }, "scenes-a", Data).Key);
            using var loaded = CellClassifier.Load(again.Path);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void UniformSplitIsDisjointBalancedAndSeeded()
    {
        var scenes = Enumerable.Range(0, 103).Select(i => new Scene($"s/{i:D3}", SceneLayout.Parse($"a {i % 10} top left"), [$"mnist10k/{i % 10}/{i:D4}"])).ToArray();
        var split = SceneSplit.Uniform(scenes, 8, 0.2, seed: 0);
        Assert.Equal(21, split.Public.Count);
        Assert.Equal(8, split.Shards.Count);
        Assert.All(split.Shards, s => Assert.InRange(s.Count, 10, 11));
        var all = split.Public.Concat(split.Private).Select(s => s.Id).ToArray();
        Assert.Equal(scenes.Length, all.Distinct().Count());
        Assert.Equal(split.Shards[3].Select(s => s.Id), SceneSplit.Uniform(scenes, 8, 0.2, seed: 0).Shards[3].Select(s => s.Id));
        Assert.NotEqual(split.Shards[3].Select(s => s.Id), SceneSplit.Uniform(scenes, 8, 0.2, seed: 1).Shards[3].Select(s => s.Id));
        Assert.Throws<ArgumentException>(() => SceneSplit.Uniform(scenes.Take(5).ToArray(), 8, 0.2, seed: 0));
    }

    [Fact]
    public void CrossDomainSplitGivesTheBaseOnlyDigitScenesAndDealsEveryGarmentSceneToOneShard()
    {
        // Every third scene is digits only; the others hold a garment alone or beside a digit.
        var scenes = Enumerable.Range(0, 90).Select(i => new Scene($"s/{i:D3}", SceneLayout.Parse((i % 3) switch
        {
            0 => $"a {i % 10} top left",
            1 => "a coat top right",
            _ => $"a {i % 10} top left and a bag bottom right",
        }), [])).ToArray();

        var split = SceneSplit.CrossDomain(scenes, 8, seed: 0);

        Assert.Equal(30, split.Public.Count);
        Assert.All(split.Public, s => Assert.False(SceneSplit.HasGarment(s), s.Layout.Caption));
        Assert.All(split.Private, s => Assert.True(SceneSplit.HasGarment(s), s.Layout.Caption));
        Assert.Equal(60, split.Private.Select(s => s.Id).Distinct().Count());
        Assert.All(split.Shards, s => Assert.InRange(s.Count, 7, 8));
        Assert.Equal(split.Shards[2].Select(s => s.Id), SceneSplit.CrossDomain(scenes, 8, seed: 0).Shards[2].Select(s => s.Id));
        Assert.NotEqual(split.Shards[2].Select(s => s.Id), SceneSplit.CrossDomain(scenes, 8, seed: 1).Shards[2].Select(s => s.Id));
        var error = Assert.Throws<ArgumentException>(() => SceneSplit.CrossDomain(scenes.Where(s => !SceneSplit.HasGarment(s)).ToArray(), 8, seed: 0));
        Assert.Contains("hold 0 scenes with a garment", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ChanceScoreAveragesOneOverTheAnswerOptionsOfEachQuestion()
    {
        // "a 7 top left": existence 1/2, identity 1/21, position 1/2, count objects 1/5, count digits 1/5.
        var expected = (0.5 + 1 / 21.0 + 0.5 + 0.2 + 0.2) / 5;
        Assert.Equal(expected, TextToImageExperiment.ChanceScore(["a 7 top left"]), 12);
        Assert.Throws<ArgumentException>(() => TextToImageExperiment.ChanceScore([]));
    }
}
