using System.Runtime.InteropServices;
using CdmNotebooks.Kernel;
using NetMQ;

// Jupyter starts the kernel as `cdm-kernel <connection-file>` (see environment/install-kernel.sh).
var log = new StreamWriter(Console.OpenStandardError()) { AutoFlush = true };
if (args.Length != 1)
{
    log.WriteLine("usage: cdm-kernel <connection-file>   (Jupyter passes the file; register the kernel with environment/install-kernel.sh)");
    return 2;
}

ConnectionInfo connection;
try
{
    connection = ConnectionInfo.Load(args[0]);
}
catch (Exception error) when (error is IOException or NotSupportedException or InvalidDataException or System.Text.Json.JsonException)
{
    log.WriteLine($"[cdm-kernel] {error.Message}");
    return 2;
}

int code;
using (var kernel = new KernelHost(connection, log))
// A SIGINT (Ctrl+C in a terminal, or a front end in signal interrupt mode) interrupts the cell instead of killing the kernel.
using (PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
{
    context.Cancel = true;
    kernel.Interrupt();
}))
{
    code = kernel.Run();
}

// Sockets are closed above; only then may NetMQ's context be torn down.
NetMQConfig.Cleanup(block: false);
return code;
