using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using NetMQ;

namespace CdmNotebooks.Kernel;

/// <summary>Reads and writes signed Jupyter messages on one ZeroMQ socket (serialising sends, since NetMQ sockets are not thread-safe).</summary>
public sealed class MessageChannel : IDisposable
{
    private static readonly byte[] s_delimiter = Encoding.ASCII.GetBytes("<IDS|MSG>");
    private readonly NetMQSocket _socket;
    private readonly MessageSigner _signer;
    private readonly TextWriter _log;
    private readonly object _sendGate = new();

    /// <summary>Wraps <paramref name="socket"/>, named <paramref name="name"/> in log lines.</summary>
    public MessageChannel(string name, NetMQSocket socket, MessageSigner signer, TextWriter log)
    {
        Name = name;
        _socket = socket;
        _signer = signer;
        _log = log;
    }

    /// <summary>The channel's name (shell, control, iopub).</summary>
    public string Name { get; }

    /// <summary>Waits up to <paramref name="timeout"/> for a message; returns null on time-out and for rejected (badly signed or malformed) messages.</summary>
    public JupyterMessage? TryReceive(TimeSpan timeout)
    {
        var frames = new List<byte[]>();
        if (!_socket.TryReceiveMultipartBytes(timeout, ref frames))
        {
            return null;
        }

        var delimiter = frames.FindIndex(frame => frame.AsSpan().SequenceEqual(s_delimiter));
        if (delimiter < 0 || frames.Count < delimiter + 6)
        {
            _log.WriteLine($"[cdm-kernel] {Name}: dropped a malformed message of {frames.Count} frames (no '<IDS|MSG>' delimiter followed by signature and four JSON frames).");
            return null;
        }

        var signature = Encoding.ASCII.GetString(frames[delimiter + 1]);
        var signed = frames.GetRange(delimiter + 2, 4);
        if (!_signer.Verify(signature, signed))
        {
            // Never execute or answer a message that fails authentication; only say so in the kernel log.
            _log.WriteLine($"[cdm-kernel] {Name}: rejected a message with a {(signature.Length == 0 ? "missing" : "wrong")} HMAC signature; it was not executed.");
            return null;
        }

        try
        {
            return new JupyterMessage(
                frames.GetRange(0, delimiter),
                ParseObject(signed[0]),
                ParseObject(signed[1]),
                ParseObject(signed[2]),
                ParseObject(signed[3]),
                frames.GetRange(delimiter + 6, frames.Count - delimiter - 6));
        }
        catch (JsonException error)
        {
            _log.WriteLine($"[cdm-kernel] {Name}: dropped a message whose JSON frames do not parse: {error.Message}");
            return null;
        }
    }

    /// <summary>Signs and sends <paramref name="message"/> (on iopub the first frame is the message type as topic).</summary>
    public void Send(JupyterMessage message, bool withTopic = false)
    {
        var signed = new[] { message.Header, message.ParentHeader, message.Metadata, message.Content }
            .Select(part => Encoding.UTF8.GetBytes(part.ToJsonString()))
            .ToArray();
        var outgoing = new NetMQMessage();
        if (withTopic)
        {
            // A PUB socket has no peers to route to: the topic replaces the identities a request carried.
            outgoing.Append(Encoding.UTF8.GetBytes(message.MessageType));
        }
        else
        {
            foreach (var identity in message.Identities)
            {
                outgoing.Append(identity);
            }
        }

        outgoing.Append(s_delimiter);
        outgoing.Append(Encoding.ASCII.GetBytes(_signer.Sign(signed)));
        foreach (var frame in signed)
        {
            outgoing.Append(frame);
        }

        foreach (var buffer in message.Buffers)
        {
            outgoing.Append(buffer);
        }

        lock (_sendGate)
        {
            _socket.SendMultipartMessage(outgoing);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _socket.Dispose();

    private static JsonObject ParseObject(byte[] frame) =>
        JsonNode.Parse(frame) as JsonObject ?? new JsonObject();
}
