using CdmNotebooks.Composition;
using CdmNotebooks.Composition.Registry;
using CdmNotebooks.Data;
using CdmNotebooks.Experiments;

namespace CdmNotebooks.Tests.Cli;

/// <summary>
/// `cdm router train --kind compartmentalized` and an experiment's shard store build the same router: a head over the same shard is trained
/// on the same shard data and the same public reference set (read from what each registry records: the data identities the head was trained
/// on), with the same network configuration, and the shard itself has the same training configuration, so a CDM built by the CLI and one
/// built by an experiment match.
/// </summary>
public sealed class CliRouterReferenceTests : IDisposable
{
    private const string Split = "mnist10k-uniform-8";
    private readonly string _root = Directory.CreateTempSubdirectory("cdm-cli-reference-").FullName;

    [Fact]
    public void CompartmentalizedHeadsOfTheCliAndOfTheExperimentsTrainOnTheSameDataAndReferenceSet()
    {
        var (code, output, error) = CliProcess.Run(["shard", "add", "--registry", "registry", "--split", Split, "--shard", "0", "--profile", "smoke"], _root);
        Assert.True(code == 0, $"cdm shard add failed ({code}): {output}{error}");
        (code, output, error) = CliProcess.Run(["router", "train", "--registry", "registry", "--kind", RouterKind.Compartmentalized.Name(), "--profile", "smoke"], _root);
        Assert.True(code == 0, $"cdm router train failed ({code}): {output}{error}");
        var cli = new ShardRegistry(Path.Combine(_root, "registry"));
        var cliRouter = Assert.Single(cli.ActiveRouters());

        using var pipeline = new CdmPipeline(new ExperimentRun("reference", "smoke", resultsRoot: Path.Combine(_root, "results")));
        var split = ShardSplit.Load(Split);
        var store = SplitStore.Create(pipeline, split, Path.Combine(_root, "experiment"), [RouterKind.Compartmentalized], shards: 1);
        var experimentRouter = Assert.Single(store.Registry.ActiveRouters());

        var cliHead = Assert.Single(cliRouter.Parts);
        var experimentHead = Assert.Single(experimentRouter.Parts);
        Assert.Equal(experimentHead.TrainedOnIdentities, cliHead.TrainedOnIdentities);
        Assert.Equal(experimentRouter.Config?.GetRawText(), cliRouter.Config?.GetRawText());

        // One shard trainer behind both: the same shard has the same recipe, seed included, and the same data.
        var shard = Assert.Single(cli.ActiveShards());
        var experimentShard = Assert.Single(store.Registry.ActiveShards());
        Assert.Equal(experimentShard.DataIdentity, shard.DataIdentity);
        Assert.Equal(experimentShard.Config?.GetRawText(), shard.Config?.GetRawText());
        var reference = cli.IdsOf(Assert.Single(cliHead.TrainedOnIdentities, identity => identity != shard.DataIdentity));
        // Half of the held-out part, none of it training data.
        Assert.Equal(pipeline.Test("mnist10k").Count / 2, reference.Count);
        Assert.Empty(reference.Intersect(pipeline.Train("mnist10k").Ids));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
