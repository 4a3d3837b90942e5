using System.Text.Json.Nodes;

namespace CdmNotebooks.Kernel;

/// <summary>One Jupyter protocol message: routing identities, header, parent header, metadata, content and binary buffers.</summary>
public sealed record JupyterMessage(
    IReadOnlyList<byte[]> Identities,
    JsonObject Header,
    JsonObject ParentHeader,
    JsonObject Metadata,
    JsonObject Content,
    IReadOnlyList<byte[]> Buffers)
{
    /// <summary>The protocol version this kernel implements.</summary>
    public const string ProtocolVersion = "5.3";

    /// <summary>The msg_type field of the header, e.g. execute_request.</summary>
    public string MessageType => Header["msg_type"]?.GetValue<string>() ?? "";

    /// <summary>A new message of <paramref name="messageType"/> answering or caused by <paramref name="parent"/> (null for none).</summary>
    public static JupyterMessage Create(string messageType, JsonObject content, JupyterMessage? parent, string session)
    {
        var header = new JsonObject
        {
            ["msg_id"] = Guid.NewGuid().ToString(),
            ["session"] = session,
            ["username"] = "cdm-kernel",
            ["date"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ"),
            ["msg_type"] = messageType,
            ["version"] = ProtocolVersion,
        };
        return new JupyterMessage(
            parent?.Identities ?? Array.Empty<byte[]>(),
            header,
            parent is null ? new JsonObject() : (JsonObject)parent.Header.DeepClone(),
            new JsonObject(),
            content,
            Array.Empty<byte[]>());
    }
}
