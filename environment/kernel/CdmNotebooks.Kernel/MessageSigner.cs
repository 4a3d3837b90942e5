using System.Security.Cryptography;

namespace CdmNotebooks.Kernel;

/// <summary>HMAC-SHA256 signatures over the four JSON frames of a message, as the Jupyter wire protocol specifies.</summary>
public sealed class MessageSigner
{
    private readonly byte[] _key;

    /// <summary>Signs with <paramref name="key"/>; an empty key means the connection is unsigned.</summary>
    public MessageSigner(string key) => _key = System.Text.Encoding.UTF8.GetBytes(key);

    /// <summary>True when a key is set, so incoming messages must carry a valid signature.</summary>
    public bool Enabled => _key.Length > 0;

    /// <summary>Lower-case hex HMAC of header, parent header, metadata and content; empty when unsigned.</summary>
    public string Sign(IReadOnlyList<byte[]> frames)
    {
        if (!Enabled)
        {
            return "";
        }

        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        foreach (var frame in frames)
        {
            hmac.AppendData(frame);
        }

        return Convert.ToHexStringLower(hmac.GetHashAndReset());
    }

    /// <summary>True when <paramref name="signature"/> matches the frames (always true when unsigned); compared in constant time.</summary>
    public bool Verify(string signature, IReadOnlyList<byte[]> frames)
    {
        if (!Enabled)
        {
            return true;
        }

        var expected = System.Text.Encoding.ASCII.GetBytes(Sign(frames));
        var actual = System.Text.Encoding.ASCII.GetBytes(signature);
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }
}
