using System.IO.Compression;
using CdmNotebooks.Data;

namespace CdmNotebooks.Tests.Data;

public sealed class IdxFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cdm-idx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal static byte[] Idx(int[] dims, byte[] values, byte type = 0x08)
    {
        var header = new List<byte> { 0, 0, type, (byte)dims.Length };
        foreach (var d in dims)
        {
            header.AddRange(new[] { (byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d });
        }

        return header.Concat(values).ToArray();
    }

    internal static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var gz = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gz.Write(content);
        }

        return buffer.ToArray();
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void ReadsGzipAndRawIdentically()
    {
        var content = Idx(new[] { 2, 2, 3 }, Enumerable.Range(0, 12).Select(i => (byte)i).ToArray());
        var raw = IdxFile.Read(Write("raw", content), 3);
        var gz = IdxFile.Read(Write("gz", Gzip(content)), 3);
        Assert.Equal(new[] { 2, 2, 3 }, raw.Dimensions);
        Assert.Equal(raw.Values, gz.Values);
        Assert.Equal(raw.Sha256, gz.Sha256);
        Assert.Equal((byte)11, raw.Values[11]);
    }

    [Fact]
    public void WrongMagicIsReported()
    {
        var content = Idx(new[] { 1 }, new byte[] { 1 });
        content[0] = 7;
        var error = Assert.Throws<DataFormatException>(() => IdxFile.Read(Write("bad", content), 1));
        Assert.Contains("magic", error.Message);
        Assert.Contains("bad", error.Message);
    }

    [Fact]
    public void WrongElementTypeIsReported()
    {
        var error = Assert.Throws<DataFormatException>(() => IdxFile.Read(Write("f32", Idx(new[] { 1 }, new byte[4], type: 0x0D)), 1));
        Assert.Contains("unsigned byte", error.Message);
    }

    [Fact]
    public void WrongRankIsReported()
    {
        var error = Assert.Throws<DataFormatException>(() => IdxFile.Read(Write("rank", Idx(new[] { 4 }, new byte[4])), 3));
        Assert.Contains("1 dimensions; expected 3", error.Message);
    }

    [Fact]
    public void ShortReadIsReported()
    {
        var content = Idx(new[] { 3, 2, 2 }, new byte[12]);
        var error = Assert.Throws<DataFormatException>(() => IdxFile.Read(Write("short", content[..^5]), 3));
        Assert.Contains("short read", error.Message);
    }

    [Fact]
    public void TruncatedGzipIsReported()
    {
        var gz = Gzip(Idx(new[] { 100, 28, 28 }, Enumerable.Range(0, 78400).Select(i => (byte)(i * 7)).ToArray()));
        var error = Assert.Throws<DataFormatException>(() => IdxFile.Read(Write("trunc.gz", gz[..(gz.Length / 2)]), 3));
        Assert.Contains("trunc.gz", error.Message);
        Assert.Contains("Reinstall", error.Message);
    }
}
