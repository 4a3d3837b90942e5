using System.Text.Json.Nodes;
using CdmNotebooks.Display;

namespace CdmNotebooks.Kernel;

/// <summary>Publishes on the iopub channel on behalf of the request currently being handled (its parent header).</summary>
public sealed class Iopub : IDisplayPublisher
{
    private readonly MessageChannel _channel;
    private readonly string _session;
    private JupyterMessage? _parent;

    /// <summary>Publishes through <paramref name="channel"/> in kernel session <paramref name="session"/>.</summary>
    public Iopub(MessageChannel channel, string session)
    {
        _channel = channel;
        _session = session;
    }

    /// <summary>The request that outputs belong to; output written by background work after a cell ends goes to its cell.</summary>
    public JupyterMessage? Parent
    {
        get => Volatile.Read(ref _parent);
        set => Volatile.Write(ref _parent, value);
    }

    /// <summary>Sends a message of <paramref name="messageType"/> whose parent is <paramref name="parent"/> (default: the current request).</summary>
    public void Send(string messageType, JsonObject content, JupyterMessage? parent = null) =>
        _channel.Send(JupyterMessage.Create(messageType, content, parent ?? Parent, _session), withTopic: true);

    /// <summary>Sends a status message (busy or idle) for <paramref name="parent"/>.</summary>
    public void Status(string state, JupyterMessage parent) =>
        Send("status", new JsonObject { ["execution_state"] = state }, parent);

    /// <inheritdoc />
    public void Publish(MimeBundle bundle, string? displayId = null, bool update = false)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        if (update && displayId is null)
        {
            throw new ArgumentException("Updating a display needs the displayId it was shown with.", nameof(displayId));
        }

        var content = new JsonObject
        {
            ["data"] = ToJson(bundle),
            ["metadata"] = new JsonObject(),
            ["transient"] = displayId is null ? new JsonObject() : new JsonObject { ["display_id"] = displayId },
        };
        Send(update ? "update_display_data" : "display_data", content);
    }

    /// <summary>The bundle as the JSON object a data field holds.</summary>
    public static JsonObject ToJson(MimeBundle bundle)
    {
        var data = new JsonObject();
        foreach (var (mime, value) in bundle.Data)
        {
            data[mime] = value;
        }

        return data;
    }
}
