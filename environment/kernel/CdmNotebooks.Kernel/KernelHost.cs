using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using CdmNotebooks.Display;
using NetMQ;
using NetMQ.Sockets;

namespace CdmNotebooks.Kernel;

/// <summary>The kernel: binds Jupyter's five sockets, answers shell and control requests, and runs cells on a thread of their own.</summary>
public sealed class KernelHost : IDisposable
{
    // After an interrupt a cell gets this long to stop at a cancellation check or a blocking wait; past it the kernel
    // stops waiting for it (it keeps running in the background, its results discarded) so the notebook stays usable.
    private static readonly TimeSpan s_interruptGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(100);

    private readonly ConnectionInfo _connection;
    private readonly TextWriter _log;
    private readonly string _session = Guid.NewGuid().ToString();
    private readonly MessageChannel _shell;
    private readonly MessageChannel _control;
    private readonly MessageChannel _iopubChannel;
    private readonly RouterSocket _stdin;
    private readonly ResponseSocket _heartbeat;
    private readonly Iopub _iopub;
    private readonly IopubStreamWriter _stdout;
    private readonly IopubStreamWriter _stderr;
    private readonly NotebookGlobals _globals;
    private readonly ScriptSession _scripts;
    private readonly Task _warmUp;
    private readonly object _cellGate = new();
    private volatile bool _stopping;
    private int _executionCount;
    private Thread? _cellThread;
    private CancellationTokenSource? _cellCancellation;
    private Stopwatch? _interruptedFor;

    /// <summary>Binds the sockets named in <paramref name="connection"/>; <paramref name="log"/> receives the kernel's own diagnostics.</summary>
    public KernelHost(ConnectionInfo connection, TextWriter log)
    {
        _connection = connection;
        _log = log;
        var signer = new MessageSigner(connection.Key);
        _shell = new MessageChannel("shell", Bind(new RouterSocket(), connection.ShellPort), signer, log);
        _control = new MessageChannel("control", Bind(new RouterSocket(), connection.ControlPort), signer, log);
        _iopubChannel = new MessageChannel("iopub", Bind(new PublisherSocket(), connection.IopubPort), signer, log);
        _stdin = Bind(new RouterSocket(), connection.StdinPort);
        _heartbeat = Bind(new ResponseSocket(), connection.HeartbeatPort);
        _iopub = new Iopub(_iopubChannel, _session);
        _stdout = new IopubStreamWriter(_iopub, "stdout");
        _stderr = new IopubStreamWriter(_iopub, "stderr");
        _globals = new NotebookGlobals(_iopub, new DisplayFormatter());
        _scripts = new ScriptSession(_globals);
        // Compiling a first submission loads Roslyn and the references; doing it now keeps it off the first cell's clock.
        _warmUp = Task.Run(() => _scripts.Execute("0", 0));
    }

    /// <summary>Serves requests until a shutdown request arrives; returns the process exit code.</summary>
    public int Run()
    {
        Console.SetOut(_stdout);
        Console.SetError(_stderr);
        Console.SetIn(TextReader.Null);
        var heartbeat = new Thread(Heartbeat) { IsBackground = true, Name = "heartbeat" };
        var control = new Thread(() => Serve(_control)) { IsBackground = true, Name = "control" };
        heartbeat.Start();
        control.Start();
        _log.WriteLine($"[cdm-kernel] listening on {_connection.Ip} (shell {_connection.ShellPort}, iopub {_connection.IopubPort}, control {_connection.ControlPort}, hb {_connection.HeartbeatPort}); signatures {(_connection.Key.Length > 0 ? "on" : "off")}.");
        Serve(_shell);
        control.Join(TimeSpan.FromSeconds(2));
        heartbeat.Join(TimeSpan.FromSeconds(2));
        _stdout.Flush();
        _stderr.Flush();
        return 0;
    }

    /// <summary>Asks the running cell to stop: cancels <see cref="NotebookGlobals.Cancellation"/> and breaks blocking waits.</summary>
    public void Interrupt()
    {
        lock (_cellGate)
        {
            if (_cellThread is null)
            {
                return;
            }

            _interruptedFor ??= Stopwatch.StartNew();
            _cellCancellation?.Cancel();
            _cellThread.Interrupt();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stdout.Dispose();
        _stderr.Dispose();
        _shell.Dispose();
        _control.Dispose();
        _iopubChannel.Dispose();
        _stdin.Dispose();
        _heartbeat.Dispose();
    }

    private T Bind<T>(T socket, int port)
        where T : NetMQSocket
    {
        // Pending messages must not hold the process open at exit.
        socket.Options.Linger = TimeSpan.FromMilliseconds(100);
        socket.Bind(_connection.Address(port));
        return socket;
    }

    private void Heartbeat()
    {
        while (!_stopping)
        {
            if (_heartbeat.TryReceiveFrameBytes(s_poll, out var ping))
            {
                _heartbeat.SendFrame(ping);
            }
        }
    }

    private void Serve(MessageChannel channel)
    {
        while (!_stopping)
        {
            var request = channel.TryReceive(s_poll);
            if (request is null)
            {
                continue;
            }

            _iopub.Status("busy", request);
            try
            {
                Handle(channel, request);
            }
            catch (Exception error)
            {
                // A bug in handling one request must not take the notebook's state down with the kernel.
                _log.WriteLine($"[cdm-kernel] {channel.Name}: {request.MessageType} failed: {error}");
            }
            finally
            {
                _iopub.Status("idle", request);
            }
        }
    }

    private void Handle(MessageChannel channel, JupyterMessage request)
    {
        var content = request.Content;
        switch (request.MessageType)
        {
            case "kernel_info_request":
                Reply(channel, request, "kernel_info_reply", KernelInfo());
                break;
            case "execute_request":
                Execute(channel, request);
                break;
            case "is_complete_request":
                var complete = ScriptSession.IsComplete(Text(content, "code"));
                Reply(channel, request, "is_complete_reply", complete
                    ? new JsonObject { ["status"] = "complete" }
                    : new JsonObject { ["status"] = "incomplete", ["indent"] = "    " });
                break;
            case "complete_request":
                var code = Text(content, "code");
                var (start, matches) = _scripts.Complete(code, CursorOffset(code, content));
                Reply(channel, request, "complete_reply", new JsonObject
                {
                    ["status"] = "ok",
                    ["matches"] = new JsonArray(matches.Select(m => (JsonNode)m).ToArray()),
                    ["cursor_start"] = start,
                    ["cursor_end"] = CursorOffset(code, content),
                    ["metadata"] = new JsonObject(),
                });
                break;
            case "inspect_request":
                var source = Text(content, "code");
                var description = _scripts.Inspect(source, CursorOffset(source, content));
                Reply(channel, request, "inspect_reply", new JsonObject
                {
                    ["status"] = "ok",
                    ["found"] = description is not null,
                    ["data"] = description is null ? new JsonObject() : new JsonObject { ["text/plain"] = description },
                    ["metadata"] = new JsonObject(),
                });
                break;
            case "comm_info_request":
                Reply(channel, request, "comm_info_reply", new JsonObject { ["status"] = "ok", ["comms"] = new JsonObject() });
                break;
            case "history_request":
                Reply(channel, request, "history_reply", new JsonObject { ["status"] = "ok", ["history"] = new JsonArray() });
                break;
            case "interrupt_request":
                Interrupt();
                Reply(channel, request, "interrupt_reply", new JsonObject { ["status"] = "ok" });
                break;
            case "shutdown_request":
                var restart = content["restart"]?.GetValue<bool>() ?? false;
                Reply(channel, request, "shutdown_reply", new JsonObject { ["status"] = "ok", ["restart"] = restart });
                _log.WriteLine($"[cdm-kernel] shutdown requested (restart: {restart}).");
                _stopping = true;
                Interrupt();
                break;
            case "comm_open" or "comm_msg" or "comm_close":
                // No comm targets (widgets) are registered; Jupyter expects no reply to comm messages.
                break;
            default:
                _log.WriteLine($"[cdm-kernel] {channel.Name}: ignored unsupported request '{request.MessageType}'.");
                break;
        }
    }

    // "Run all" queues every cell at once; after a failure the rest must not run on top of a broken state, so the
    // execute requests already waiting are answered "aborted" (as ipykernel does) while other requests are served.
    // Only what was queued before the error reply went out is drained: a request sent after the client saw the error
    // runs normally (draining after the reply raced with such a request and aborted it).
    private static List<JupyterMessage> DrainQueued(MessageChannel channel)
    {
        var queued = new List<JupyterMessage>();
        while (channel.TryReceive(TimeSpan.Zero) is { } message)
        {
            queued.Add(message);
        }

        return queued;
    }

    private void AbortQueuedExecutions(MessageChannel channel, IEnumerable<JupyterMessage> drained)
    {
        foreach (var queued in drained)
        {
            _iopub.Status("busy", queued);
            try
            {
                if (queued.MessageType == "execute_request")
                {
                    Reply(channel, queued, "execute_reply", new JsonObject { ["status"] = "aborted", ["execution_count"] = _executionCount });
                }
                else
                {
                    Handle(channel, queued);
                }
            }
            finally
            {
                _iopub.Status("idle", queued);
            }
        }
    }

    private void Execute(MessageChannel channel, JupyterMessage request)
    {
        var code = Text(request.Content, "code");
        var silent = request.Content["silent"]?.GetValue<bool>() ?? false;
        var storeHistory = request.Content["store_history"]?.GetValue<bool>() ?? !silent;
        if (storeHistory)
        {
            _executionCount++;
        }

        var count = _executionCount;
        _iopub.Parent = request;
        if (!silent)
        {
            _iopub.Send("execute_input", new JsonObject { ["code"] = code, ["execution_count"] = count });
        }

        var outcome = RunCell(code, count);
        _stdout.Flush();
        _stderr.Flush();
        if (outcome.Succeeded && outcome.HasReturnValue && outcome.ReturnValue is not null && !silent)
        {
            var bundle = _globals.Formatter.Format(outcome.ReturnValue);
            _iopub.Send("execute_result", new JsonObject
            {
                ["execution_count"] = count,
                ["data"] = Iopub.ToJson(bundle),
                ["metadata"] = new JsonObject(),
            });
        }

        var reply = new JsonObject { ["execution_count"] = count };
        if (outcome.Succeeded)
        {
            reply["status"] = "ok";
            reply["user_expressions"] = new JsonObject();
            reply["payload"] = new JsonArray();
        }
        else
        {
            var error = new JsonObject
            {
                ["ename"] = outcome.ErrorName,
                ["evalue"] = outcome.ErrorValue,
                ["traceback"] = new JsonArray(outcome.Traceback.Select(line => (JsonNode)line).ToArray()),
            };
            if (!silent)
            {
                _iopub.Send("error", (JsonObject)error.DeepClone());
            }

            reply["status"] = "error";
            foreach (var (key, value) in error)
            {
                reply[key] = value?.DeepClone();
            }
        }

        var queued = !outcome.Succeeded && (request.Content["stop_on_error"]?.GetValue<bool>() ?? true) ? DrainQueued(channel) : [];
        Reply(channel, request, "execute_reply", reply);
        AbortQueuedExecutions(channel, queued);
    }

    private CellOutcome RunCell(string code, int count)
    {
        CellOutcome? outcome = null;
        var cancellation = new CancellationTokenSource();
        var thread = new Thread(() =>
        {
            try
            {
                _warmUp.Wait();
                outcome = _scripts.Execute(code, count);
            }
            catch (Exception error)
            {
                outcome = CellErrors.FromException(error);
            }
        }, maxStackSize: 16 * 1024 * 1024) { IsBackground = true, Name = $"cell[{count}]" };
        lock (_cellGate)
        {
            _globals.Cancellation = cancellation.Token;
            _cellCancellation = cancellation;
            _interruptedFor = null;
            _cellThread = thread;
        }

        thread.Start();
        Stopwatch? interrupted = null;
        while (!thread.Join(s_poll))
        {
            lock (_cellGate)
            {
                interrupted = _interruptedFor;
            }

            if (interrupted is not null && interrupted.Elapsed > s_interruptGrace)
            {
                break;
            }
        }

        lock (_cellGate)
        {
            interrupted = _interruptedFor;
            _cellThread = null;
            _cellCancellation = null;
            _interruptedFor = null;
        }

        if (outcome is null)
        {
            return CellErrors.Interrupted($"cell[{count}] did not stop within {s_interruptGrace.TotalSeconds:F0} s of the interrupt (it never checked Cancellation); "
                + "it keeps running in the background and its results are discarded. Restart the kernel to stop it.");
        }

        if (interrupted is not null && !outcome.Succeeded)
        {
            return CellOutcome.Failure("Interrupted", $"cell[{count}] stopped at the interrupt request ({outcome.ErrorValue})", outcome.Traceback);
        }

        return outcome;
    }

    private void Reply(MessageChannel channel, JupyterMessage request, string type, JsonObject content) =>
        channel.Send(JupyterMessage.Create(type, content, request, _session));

    private static JsonObject KernelInfo() => new()
    {
        ["status"] = "ok",
        ["protocol_version"] = JupyterMessage.ProtocolVersion,
        ["implementation"] = "cdm-kernel",
        ["implementation_version"] = typeof(KernelHost).Assembly.GetName().Version?.ToString() ?? "0",
        ["language_info"] = new JsonObject
        {
            ["name"] = "csharp",
            ["version"] = "14.0",
            ["mimetype"] = "text/x-csharp",
            ["file_extension"] = ".cs",
            ["pygments_lexer"] = "csharp",
            ["codemirror_mode"] = "text/x-csharp",
        },
        ["banner"] = $"CdmNotebooks C# kernel (Roslyn scripting, .NET {Environment.Version}). Cells import: {string.Join(", ", ScriptSession.DefaultImports)}.",
        ["help_links"] = new JsonArray(),
    };

    private static string Text(JsonObject content, string key) => content[key]?.GetValue<string>() ?? "";

    // Protocol 5.2+ counts cursor_pos in Unicode code points; .NET strings index UTF-16 units.
    private static int CursorOffset(string code, JsonObject content)
    {
        var codePoints = content["cursor_pos"]?.GetValue<int>() ?? code.Length;
        var offset = 0;
        for (var seen = 0; seen < codePoints && offset < code.Length; seen++)
        {
            offset += char.IsSurrogatePair(code, offset) ? 2 : 1;
        }

        return offset;
    }
}
