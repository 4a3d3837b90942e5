using System.CommandLine;
using CdmNotebooks.Cli.Commands;

var root = new RootCommand(
    "cdm — Compartmentalized Diffusion Models workbench: data, shard training, composition, protection and experiments.");

// Each area of the tool contributes its commands from its own file under Commands/.
foreach (var command in DataCommands.Create())
{
    root.Subcommands.Add(command);
}

foreach (var command in TrainCommands.Create())
{
    root.Subcommands.Add(command);
}

return await root.Parse(args).InvokeAsync();
