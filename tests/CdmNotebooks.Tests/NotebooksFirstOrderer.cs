using Xunit.Abstractions;

[assembly: TestCollectionOrderer("CdmNotebooks.Tests.NotebooksFirstOrderer", "CdmNotebooks.Tests")]

namespace CdmNotebooks.Tests;

/// <summary>
/// Runs the experiment notebooks' collection first, then every other collection by name. The notebooks train the smoke models from a cold
/// cache and the experiments' mutation runs reuse them; xUnit's default order hashes collection IDs, so adding a test class could put a cold
/// mutation run first and move the test command's time by twenty minutes (README, test command).
/// </summary>
public sealed class NotebooksFirstOrderer : ITestCollectionOrderer
{
    /// <inheritdoc />
    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections
            .OrderBy(c => c.DisplayName.EndsWith("." + nameof(Kernel.NotebookRunTests), StringComparison.Ordinal) ? 0 : 1)
            .ThenBy(c => c.DisplayName, StringComparer.Ordinal);
}
