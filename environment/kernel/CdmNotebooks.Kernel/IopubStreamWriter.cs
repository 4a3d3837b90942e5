using System.Text;
using System.Text.Json.Nodes;

namespace CdmNotebooks.Kernel;

/// <summary>Console output redirected to Jupyter stream messages, sent while a cell runs rather than when it ends.</summary>
public sealed class IopubStreamWriter : TextWriter
{
    // Batching for a short interval keeps a loop of Console.Write calls from becoming thousands of messages
    // while output still appears as it happens.
    private static readonly TimeSpan s_interval = TimeSpan.FromMilliseconds(50);

    private readonly Iopub _iopub;
    private readonly string _name;
    private readonly StringBuilder _buffer = new();
    private readonly object _gate = new();
    private readonly Timer _timer;

    /// <summary>Writes to the stream called <paramref name="name"/> (stdout or stderr).</summary>
    public IopubStreamWriter(Iopub iopub, string name)
    {
        _iopub = iopub;
        _name = name;
        _timer = new Timer(_ => Flush(), null, s_interval, s_interval);
    }

    /// <inheritdoc />
    public override Encoding Encoding => Encoding.UTF8;

    /// <inheritdoc />
    public override void Write(char value)
    {
        lock (_gate)
        {
            _buffer.Append(value);
        }
    }

    /// <inheritdoc />
    public override void Write(string? value)
    {
        lock (_gate)
        {
            _buffer.Append(value);
        }
    }

    /// <inheritdoc />
    public override void Write(char[] buffer, int index, int count)
    {
        lock (_gate)
        {
            _buffer.Append(buffer, index, count);
        }
    }

    /// <summary>Sends what has been written since the last flush as one stream message.</summary>
    public override void Flush()
    {
        string text;
        lock (_gate)
        {
            if (_buffer.Length == 0)
            {
                return;
            }

            text = _buffer.ToString();
            _buffer.Clear();
            // Sent under the lock so that two flushes cannot reorder chunks of the same stream.
            if (_iopub.Parent is not null)
            {
                _iopub.Send("stream", new JsonObject { ["name"] = _name, ["text"] = text });
            }
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _timer.Dispose();
            Flush();
        }

        base.Dispose(disposing);
    }
}
