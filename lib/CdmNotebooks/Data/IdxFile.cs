using System.IO.Compression;
using System.Security.Cryptography;

namespace CdmNotebooks.Data;

/// <summary>The decompressed content of one IDX file (the MNIST family's format: magic, big-endian dimensions, unsigned bytes).</summary>
public sealed class IdxFile
{
    private IdxFile(string path, int[] dimensions, byte[] values, string sha256)
    {
        Path = path;
        Dimensions = dimensions;
        Values = values;
        Sha256 = sha256;
    }

    /// <summary>Where it was read from.</summary>
    public string Path { get; }

    /// <summary>The dimensions declared in the header, e.g. [60000, 28, 28].</summary>
    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>The unsigned byte values, row-major.</summary>
    public byte[] Values { get; }

    /// <summary>Lower-case hex sha256 of the whole decompressed file (header included), the identity recorded in manifests.</summary>
    public string Sha256 { get; }

    /// <summary>Reads a gzip-compressed (by magic bytes) or raw IDX file of unsigned bytes with <paramref name="expectedRank"/> dimensions.</summary>
    public static IdxFile Read(string path, int expectedRank)
    {
        const string Fix = "Reinstall the dataset (see README: set-up) or point the loader at a folder with intact standard files.";
        byte[] content;
        try
        {
            using var file = File.OpenRead(path);
            var first = new byte[2];
            var isGzip = file.Read(first, 0, 2) == 2 && first[0] == 0x1f && first[1] == 0x8b;
            file.Position = 0;
            using var stream = isGzip ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            content = buffer.ToArray();
        }
        catch (InvalidDataException ex)
        {
            throw new DataFormatException(path, $"corrupt or truncated gzip stream ({ex.Message}).", Fix, ex);
        }
        catch (EndOfStreamException ex)
        {
            throw new DataFormatException(path, "truncated gzip stream.", Fix, ex);
        }

        if (content.Length < 4 || content[0] != 0 || content[1] != 0)
        {
            throw new DataFormatException(path, "not an IDX file (the first two bytes of the magic number must be zero).", Fix);
        }

        if (content[2] != 0x08)
        {
            throw new DataFormatException(path, $"IDX element type 0x{content[2]:x2} is not 0x08 (unsigned byte).", Fix);
        }

        int rank = content[3];
        if (rank != expectedRank)
        {
            throw new DataFormatException(path, $"IDX file has {rank} dimensions; expected {expectedRank}.", Fix);
        }

        var headerLength = 4 + 4 * rank;
        if (content.Length < headerLength)
        {
            throw new DataFormatException(path, "short read: the IDX header is incomplete.", Fix);
        }

        var dimensions = new int[rank];
        long expected = 1;
        for (var i = 0; i < rank; i++)
        {
            var offset = 4 + 4 * i;
            dimensions[i] = (content[offset] << 24) | (content[offset + 1] << 16) | (content[offset + 2] << 8) | content[offset + 3];
            if (dimensions[i] <= 0)
            {
                throw new DataFormatException(path, $"IDX dimension {i} is {dimensions[i]}; dimensions must be positive.", Fix);
            }

            expected *= dimensions[i];
        }

        var available = content.Length - headerLength;
        if (available != expected)
        {
            throw new DataFormatException(path,
                available < expected
                    ? $"short read: header declares {expected} values ([{string.Join("x", dimensions)}]) but only {available} follow."
                    : $"{available - expected} trailing bytes after the {expected} values declared by the header.",
                Fix);
        }

        var values = content.AsSpan(headerLength).ToArray();
        return new IdxFile(path, dimensions, values, Convert.ToHexStringLower(SHA256.HashData(content)));
    }
}
