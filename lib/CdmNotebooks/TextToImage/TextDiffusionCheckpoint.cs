using System.Text;
using System.Text.Json;
using CdmNotebooks.IO;
using static TorchSharp.torch;

namespace CdmNotebooks.TextToImage;

/// <summary>Saves and loads text-conditioned models (UNet + text encoder weights, immutable configuration beside them as JSON) and prompt-tuning contexts, each file written atomically.</summary>
public static class TextDiffusionCheckpoint
{
    private const int ContextMagic = 0x43545854; // "TXTC"

    /// <summary>JSON options of the configuration file.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new() { WriteIndented = true };

    /// <summary>Writes <paramref name="model"/>'s weights to <paramref name="path"/> and its configuration to path + ".json" (weights first, so a configuration never names missing weights).</summary>
    public static void Save(TextDiffusionModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            model.Unet.save(writer);
            model.Encoder.save(writer);
        });
        AtomicFile.WriteAllText(path + ".json", JsonSerializer.Serialize(model.Config, JsonOptions) + "\n");
    }

    /// <summary>Loads a model saved by <see cref="Save"/> in evaluation mode; a missing file or weights that do not fit the saved configuration is a clear error.</summary>
    public static TextDiffusionModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path) || !File.Exists(path + ".json"))
        {
            throw new FileNotFoundException($"Text diffusion checkpoint '{path}' (weights + {Path.GetFileName(path)}.json) not found.", path);
        }

        var config = JsonSerializer.Deserialize<TextDiffusionConfig>(File.ReadAllText(path + ".json"), JsonOptions)
                     ?? throw new InvalidDataException($"'{path}.json' is empty; it must hold the TextDiffusionConfig the weights were trained with.");
        var model = new TextDiffusionModel(config);
        try
        {
            using var reader = new BinaryReader(File.OpenRead(path));
            model.Unet.load(reader, strict: true);
            model.Encoder.load(reader, strict: true);
            if (reader.BaseStream.Position != reader.BaseStream.Length)
            {
                throw new InvalidDataException($"'{path}' has {reader.BaseStream.Length - reader.BaseStream.Position} bytes after the UNet and encoder weights; it is not a text diffusion checkpoint of this configuration.");
            }
        }
        catch (Exception failure)
        {
            model.Dispose();
            if (failure is InvalidDataException)
            {
                throw;
            }

            // TorchSharp reports a shape or name mismatch in its own terms; say which files disagree.
            throw new InvalidDataException($"'{path}' does not hold weights of the configuration in '{path}.json' ({failure.Message}).", failure);
        }

        model.Unet.eval();
        model.Encoder.eval();
        return model;
    }

    /// <summary>Writes a prompt-tuning context [K, Width] (float32) to <paramref name="path"/>.</summary>
    public static void SaveContext(Tensor context, string path)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.dim() != 2)
        {
            throw new ArgumentException($"A prompt context is [K, Width]; got [{string.Join(",", context.shape)}].", nameof(context));
        }

        var values = context.detach().cpu().to(ScalarType.Float32).contiguous().data<float>().ToArray();
        AtomicFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(ContextMagic);
            writer.Write(context.shape[0]);
            writer.Write(context.shape[1]);
            foreach (var v in values)
            {
                writer.Write(v);
            }
        });
    }

    /// <summary>Reads a context written by <see cref="SaveContext"/> (caller owns the tensor).</summary>
    public static Tensor LoadContext(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Prompt context '{path}' not found.", path);
        }

        using var reader = new BinaryReader(File.OpenRead(path));
        if (reader.BaseStream.Length < 20 || reader.ReadInt32() != ContextMagic)
        {
            throw new InvalidDataException($"'{path}' is not a prompt context file (bad header).");
        }

        var rows = reader.ReadInt64();
        var width = reader.ReadInt64();
        if (rows < 1 || width < 1 || reader.BaseStream.Length != 20 + rows * width * sizeof(float))
        {
            throw new InvalidDataException($"'{path}' declares a [{rows}, {width}] context but holds {reader.BaseStream.Length - 20} bytes of values.");
        }

        var values = new float[rows * width];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = reader.ReadSingle();
        }

        return tensor(values, [rows, width], ScalarType.Float32);
    }

    /// <summary>A fingerprint of every UNet and encoder parameter (sha256 of their float bytes in order): equal fingerprints mean identical weights.</summary>
    public static string Fingerprint(TextDiffusionModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (var p in model.Parameters())
        {
            using var scope = NewDisposeScope();
            var values = p.detach().cpu().to(ScalarType.Float32).contiguous().data<float>().ToArray();
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
