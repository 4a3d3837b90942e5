using System.Text.Json;
using System.Text.Json.Serialization;

namespace CdmNotebooks.Kernel;

/// <summary>The connection file Jupyter writes for a kernel: ports, transport and the signing key.</summary>
public sealed record ConnectionInfo(
    [property: JsonPropertyName("transport")] string Transport,
    [property: JsonPropertyName("ip")] string Ip,
    [property: JsonPropertyName("shell_port")] int ShellPort,
    [property: JsonPropertyName("iopub_port")] int IopubPort,
    [property: JsonPropertyName("stdin_port")] int StdinPort,
    [property: JsonPropertyName("control_port")] int ControlPort,
    [property: JsonPropertyName("hb_port")] int HeartbeatPort,
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("signature_scheme")] string SignatureScheme)
{
    /// <summary>Reads and checks the connection file at <paramref name="path"/>.</summary>
    public static ConnectionInfo Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Jupyter connection file '{path}' does not exist; the kernel is started as `cdm-kernel <connection-file>` by Jupyter.", path);
        }

        var info = JsonSerializer.Deserialize<ConnectionInfo>(File.ReadAllText(path))
            ?? throw new InvalidDataException($"Connection file '{path}' is empty.");
        if (info.Transport != "tcp")
        {
            // NetMQ implements tcp and inproc only; Jupyter's default is tcp.
            throw new NotSupportedException($"Connection file '{path}' asks for transport '{info.Transport}'; this kernel supports only 'tcp'.");
        }

        if (info.Key.Length > 0 && info.SignatureScheme != "hmac-sha256")
        {
            throw new NotSupportedException($"Connection file '{path}' asks for signature scheme '{info.SignatureScheme}'; this kernel supports only 'hmac-sha256'.");
        }

        return info;
    }

    /// <summary>The ZeroMQ address of <paramref name="port"/> on this connection's interface.</summary>
    public string Address(int port) => $"tcp://{Ip}:{port}";
}
