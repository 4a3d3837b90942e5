using System.CommandLine;
using System.Runtime.InteropServices;
using CdmNotebooks.Cli;
using CdmNotebooks.Cli.Commands;

var root = new RootCommand(
    "cdm — Compartmentalized Diffusion Models workbench: data, shard training, composition, protection and experiments. " +
    "Exit codes: 0 success, 1 a reported check failed, 2 bad input or a refused request, 3 internal error, 130 interrupted (resumable).");
var verbose = new Option<bool>("--verbose") { Description = "Print the stack trace of a failure.", Recursive = true };
root.Options.Add(verbose);

// Each area of the tool contributes its commands from its own file under Commands/.
IEnumerable<Command>[] areas =
[
    DataCommands.Create(),
    TrainCommands.Create(),
    ComposeCommands.Create(),
    EvalCommands.Create(),
    ReproduceCommands.Create(),
    SceneCommands.Create(),
    ClusterCommands.Create(),
];
foreach (var command in areas.SelectMany(a => a))
{
    root.Subcommands.Add(command);
}

var parse = root.Parse(args);
if (parse.Errors.Count > 0 && !args.Any(a => a is "-h" or "--help" or "-?"))
{
    foreach (var error in parse.Errors)
    {
        Console.Error.WriteLine($"cdm: {error.Message}");
    }

    Console.Error.WriteLine($"Run '{string.Join(' ', CommandPath(parse.CommandResult).Prepend("cdm"))} --help' for usage.");
    return CliFailure.BadInput;
}

// Our own SIGINT/SIGTERM handling instead of System.CommandLine's: its handler forces an exit 2 seconds after the signal (which can
// cut a standard checkpoint write short) and throws on a second signal (seen: `timeout` forwarding SIGTERM to a child already
// told). Here every signal only requests cancellation; the command checkpoints and exits 130 in its own time.
using var interrupted = new CancellationTokenSource();
void Interrupt(PosixSignalContext signal)
{
    signal.Cancel = true;
    interrupted.Cancel();
}

using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
try
{
    return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, interrupted.Token);
}
catch (Exception failure)
{
    var (code, message) = CliFailure.Describe(failure);
    Console.Error.WriteLine(message);
    if (parse.GetValue(verbose))
    {
        Console.Error.WriteLine(failure);
    }

    return code;
}

static IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult result)
{
    var names = new Stack<string>();
    for (var r = result; r?.Parent is System.CommandLine.Parsing.CommandResult parent; r = parent)
    {
        names.Push(r.Command.Name);
    }

    return names;
}
