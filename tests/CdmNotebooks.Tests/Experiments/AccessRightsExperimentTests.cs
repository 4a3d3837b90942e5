using CdmNotebooks.Experiments;
using CdmNotebooks.Experiments.AccessRights;
using Xunit.Abstractions;

namespace CdmNotebooks.Tests.Experiments;

/// <summary>E7 in the smoke profile: both proofs (unentitled files never opened, unentitled weights exactly 0) hold for every user.</summary>
[Collection("Experiments")]
public sealed class AccessRightsExperimentTests
{
    private readonly ITestOutputHelper _output;

    public AccessRightsExperimentTests(ITestOutputHelper output) => _output = output;

    [Fact]
    [Trait("Category", "ExperimentSmoke")]
    public void SmokeRunProvesEntitlementsForEveryUser()
    {
        var results = Directory.CreateTempSubdirectory("cdm-access-rights-").FullName;
        try
        {
            var report = new AccessRightsExperiment().Run(new ExperimentRun("access-rights", "smoke", resultsRoot: results) { Log = _output.WriteLine });
            foreach (var check in report.Checks)
            {
                _output.WriteLine($"{(check.Passed ? "ok  " : "FAIL")} {check.Name}: {check.Detail}");
            }

            Assert.True(report.Passed, string.Join("\n", report.Checks.Where(c => !c.Passed).Select(c => $"{c.Name}: {c.Detail}")));
            var table = report.Tables["access-rights"];
            Assert.Equal(AccessRightsSettings.For("smoke").Policy.Users.Count, table.Rows.Count);
            for (var r = 0; r < table.Rows.Count; r++)
            {
                Assert.Equal("0", table.Get(r, "unentitled_files_opened"));
                Assert.Equal("0", table.Get(r, "unentitled_nonzero_pairs"));
            }
        }
        finally
        {
            Directory.Delete(results, recursive: true);
        }
    }
}
