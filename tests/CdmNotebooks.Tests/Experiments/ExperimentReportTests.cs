using CdmNotebooks.Composition;
using CdmNotebooks.Composition.Registry;
using CdmNotebooks.Experiments;
using CdmNotebooks.Reporting;

namespace CdmNotebooks.Tests.Experiments;

/// <summary>A notebook's verdict cell (<see cref="ExperimentReport.EnsurePassed"/>) fails on any failed or missing check, and the shard store composes trained routers sparsely.</summary>
public sealed class ExperimentReportTests
{
    private static ExperimentReport Report(params SanityCheck[] checks) =>
        new("table1", "smoke", new Dictionary<string, ResultTable>(), [], checks, [], []);

    [Fact]
    public void EnsurePassedReturnsTheChecksWhenAllPassed()
    {
        var report = Report(new SanityCheck("a", true, "1 > 0"), new SanityCheck("b", true, "ok"));
        Assert.Equal(report.Checks, report.EnsurePassed());
    }

    [Fact]
    public void EnsurePassedNamesEveryFailedCheckWithItsDetail()
    {
        var report = Report(new SanityCheck("beats naive", false, "classifier 0.10, naive 0.20"), new SanityCheck("parity", true, "ok"),
            new SanityCheck("lineage", false, "shard 3 trained on a forgotten ID"));
        var error = Assert.Throws<SanityCheckFailedException>(() => report.EnsurePassed());
        Assert.Contains("2 of 3", error.Message, StringComparison.Ordinal);
        Assert.Contains("'beats naive': classifier 0.10, naive 0.20", error.Message, StringComparison.Ordinal);
        Assert.Contains("'lineage': shard 3 trained on a forgotten ID", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("parity", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EnsurePassedRejectsARunThatVerifiedNothing()
    {
        var error = Assert.Throws<SanityCheckFailedException>(() => Report().EnsurePassed());
        Assert.Contains("no sanity checks", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RouterKind.Classifier, false)]
    [InlineData(RouterKind.Compartmentalized, false)]
    [InlineData(RouterKind.Naive, true)]
    [InlineData(RouterKind.Ito, false)]
    public void TrainedAndItoRoutersComposeSparselyAndConstantWeightsDensely(RouterKind kind, bool dense)
    {
        var sparsity = RegistryComposer.DefaultOptions(kind).Sparsity ?? SparseSelection.Dense;
        Assert.Equal(dense, sparsity.IsDense);
        if (!dense)
        {
            Assert.Equal(RegistryComposer.TrainedRouterSparsity, sparsity);
        }
    }
}
