using System.CommandLine;
using CdmNotebooks.Cli.Commands;

var root = new RootCommand(
    "cdm — Compartmentalized Diffusion Models workbench: data, shard training, composition, protection and experiments.");

// Each area of the tool contributes its commands from its own file under Commands/.
IEnumerable<Command>[] areas =
[
    DataCommands.Create(),
    TrainCommands.Create(),
    ComposeCommands.Create(),
    EvalCommands.Create(),
    ReproduceCommands.Create(),
    SceneCommands.Create(),
];
foreach (var command in areas.SelectMany(a => a))
{
    root.Subcommands.Add(command);
}

var configuration = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
try
{
    return await root.Parse(args).InvokeAsync(configuration);
}
catch (OperationCanceledException)
{
    // Ctrl-C / SIGTERM: commands that train checkpoint before honouring the token, so the same command line resumes.
    Console.Error.WriteLine("cdm: interrupted; progress up to the last checkpoint is kept. Run the same command again to resume.");
    return 130;
}
catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or CdmNotebooks.Data.DataFormatException
                               or CdmNotebooks.Diffusion.CheckpointException or ArgumentException or FormatException or InvalidOperationException or KeyNotFoundException)
{
    // Bad input is reported as one clear message (what, where, how to fix), not a stack trace.
    Console.Error.WriteLine($"cdm: {ex.Message}");
    return 2;
}
