using CdmNotebooks.Composition;
using CdmNotebooks.Composition.Registry;
using CdmNotebooks.Data;
using CdmNotebooks.Experiments;
using CdmNotebooks.Experiments.Forgetting;

namespace CdmNotebooks.Tests.Cli;

/// <summary>
/// `cdm router train --kind compartmentalized` trains its heads against the same public reference set as the experiments' router maintainer,
/// read from what the registry records (the data identity each head was trained on), so a CDM built by the CLI and one built by an experiment match.
/// </summary>
public sealed class CliRouterReferenceTests : IDisposable
{
    private const string Split = "mnist10k-uniform-8";
    private readonly string _root = Directory.CreateTempSubdirectory("cdm-cli-reference-").FullName;

    [Fact]
    public void CompartmentalizedHeadsOfTheCliTrainOnTheExperimentsReferenceSet()
    {
        var (code, output, error) = CliProcess.Run(["shard", "add", "--registry", "registry", "--split", Split, "--shard", "0", "--profile", "smoke"], _root);
        Assert.True(code == 0, $"cdm shard add failed ({code}): {output}{error}");
        (code, output, error) = CliProcess.Run(["router", "train", "--registry", "registry", "--kind", RouterKind.Compartmentalized.Name(), "--profile", "smoke"], _root);
        Assert.True(code == 0, $"cdm router train failed ({code}): {output}{error}");

        var registry = new ShardRegistry(Path.Combine(_root, "registry"));
        var shard = Assert.Single(registry.ActiveShards());
        var head = Assert.Single(Assert.Single(registry.ActiveRouters()).Parts);
        var reference = Assert.Single(head.TrainedOnIdentities, identity => identity != shard.DataIdentity);

        using var pipeline = new CdmPipeline(new ExperimentRun("reference", "smoke", resultsRoot: Path.Combine(_root, "results")));
        var experiments = new PipelineRouterMaintainer(pipeline, ShardSplit.Load(Split).Dataset).ReferenceIds;
        Assert.Equal(experiments.Order(StringComparer.Ordinal), registry.IdsOf(reference).Order(StringComparer.Ordinal));
        // Half of the held-out part, none of it training data.
        Assert.Equal(pipeline.Test("mnist10k").Count / 2, experiments.Count);
        Assert.Empty(experiments.Intersect(pipeline.Train("mnist10k").Ids));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
