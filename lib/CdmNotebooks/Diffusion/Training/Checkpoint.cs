using System.Security.Cryptography;
using System.Text;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using CdmNotebooks.IO;
using CdmNotebooks.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CdmNotebooks.Diffusion;

/// <summary>Reads and writes single-file training checkpoints (header JSON, weights, EMA weights, optimizer state, sha256 trailer), atomically.</summary>
public static class Checkpoint
{
    /// <summary>File extension of checkpoints.</summary>
    public const string Extension = ".cdmckpt";

    private const int FormatVersion = 1;
    private static readonly byte[] Magic = "CDMCKPT1"u8.ToArray();
    private static readonly byte[] EndMagic = "CDMCKEND"u8.ToArray();

    /// <summary>JSON options for headers and configuration files (indented, camelCase; a step-0 checkpoint has no loss yet, written as NaN).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Canonical file name of the checkpoint at <paramref name="step"/>.</summary>
    public static string FileName(int step) => $"step-{step:D8}{Extension}";

    /// <summary>Writes a checkpoint atomically (temp + rename): readers see the previous file or the complete new one.</summary>
    public static void Save(string path, CheckpointHeader header, UNet model, UNet ema, OptimizerHelper optimizer)
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Magic);
            var json = JsonSerializer.SerializeToUtf8Bytes(header, JsonOptions);
            writer.Write(json.Length);
            writer.Write(json);
            model.save(writer);
            ema.save(writer);
            optimizer.save_state_dict(writer);
            writer.Flush();
        }

        var hash = SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        buffer.Write(hash);
        buffer.Write(EndMagic);
        AtomicFile.WriteAllBytes(path, buffer.ToArray());
    }

    /// <summary>Reads and verifies only the header (cheap: no tensors are created).</summary>
    public static CheckpointHeader ReadHeader(string path)
    {
        var (header, _, _) = ReadVerified(path);
        return header;
    }

    /// <summary>Loads a checkpoint's EMA (default) or raw weights as a denoiser for sampling, optionally checking the training-data identity.</summary>
    public static UNetDenoiser LoadDenoiser(string path, TrainingDataIdentity? expectedData = null, bool useEma = true, Device? device = null)
    {
        var (header, bytes, payloadStart) = ReadVerified(path);
        CheckData(path, header, expectedData);
        var model = new UNet(header.Config.Model);
        using var reader = new BinaryReader(new MemoryStream(bytes, payloadStart, bytes.Length - payloadStart));
        LoadModule(path, model, reader);
        if (useEma)
        {
            LoadModule(path, model, reader);
        }

        model.to(device ?? TorchDevice.Default);
        return new UNetDenoiser(model, header.Config.CreateSchedule());
    }

    /// <summary>Copies a checkpoint's EMA weights into <paramref name="target"/> (whose architecture must match): the starting point of a fine-tuning.</summary>
    /// <remarks>A target that adds a prompt context to the stored architecture (prompt tuning on a base) gets every stored weight and keeps its own context.</remarks>
    public static void LoadEmaWeights(string path, UNet target)
    {
        ArgumentNullException.ThrowIfNull(target);
        var (header, bytes, payloadStart) = ReadVerified(path);
        using var reader = new BinaryReader(new MemoryStream(bytes, payloadStart, bytes.Length - payloadStart));
        if (header.Config.Model.PromptTokens == 0 && target.Config.PromptTokens > 0)
        {
            using var stored = new UNet(header.Config.Model);
            LoadModule(path, stored, reader);
            LoadModule(path, stored, reader);
            using var noGrad = no_grad();
            var (missing, unexpected) = target.load_state_dict(stored.state_dict(), strict: false);
            if (missing.Count != 1 || missing[0] != UNet.PromptParameter || unexpected.Count != 0)
            {
                throw new CheckpointException(CheckpointErrorKind.ConfigMismatch, path,
                    $"The stored weights do not fit the prompt-tuned network: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", unexpected)}].");
            }

            return;
        }

        LoadModule(path, target, reader);
        LoadModule(path, target, reader);
    }

    /// <summary>sha256 (hex) of <paramref name="network"/>'s parameters as float32 bytes in order, optionally without the prompt context: equal fingerprints mean identical weights (e.g. a prompt-tuned shard's frozen part and its base).</summary>
    public static string Fingerprint(UNet network, bool includePrompt = true)
    {
        ArgumentNullException.ThrowIfNull(network);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, p) in network.named_parameters().Where(p => includePrompt || p.name != UNet.PromptParameter))
        {
            using var scope = NewDisposeScope();
            var values = p.detach().cpu().to(ScalarType.Float32).contiguous().data<float>().ToArray();
            hash.AppendData(Encoding.UTF8.GetBytes(name));
            hash.AppendData(MemoryMarshal.AsBytes(values.AsSpan()));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Restores model, EMA and optimizer from a checkpoint whose configuration and data must equal the caller's.</summary>
    public static CheckpointHeader Restore(string path, TrainingConfig expectedConfig, TrainingDataIdentity expectedData, UNet model, UNet ema, OptimizerHelper optimizer)
    {
        var (header, bytes, payloadStart) = ReadVerified(path);
        var stored = JsonSerializer.Serialize(header.Config, JsonOptions);
        var requested = JsonSerializer.Serialize(expectedConfig, JsonOptions);
        if (stored != requested)
        {
            throw new CheckpointException(CheckpointErrorKind.ConfigMismatch, path,
                $"The checkpoint's configuration differs from the requested one (profile '{header.Config.Profile}' vs '{expectedConfig.Profile}'). " +
                "Use a fresh output directory or the same profile and options.");
        }

        CheckData(path, header, expectedData);
        using var reader = new BinaryReader(new MemoryStream(bytes, payloadStart, bytes.Length - payloadStart));
        LoadModule(path, model, reader);
        LoadModule(path, ema, reader);
        try
        {
            optimizer.load_state_dict(reader);
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or EndOfStreamException)
        {
            throw new CheckpointException(CheckpointErrorKind.ConfigMismatch, path, $"The optimizer state does not fit the model: {e.Message}", e);
        }

        return header;
    }

    /// <summary>Checkpoint files in <paramref name="directory"/>, newest step first.</summary>
    public static IReadOnlyList<string> List(string directory) =>
        Directory.Exists(directory)
            ? Directory.GetFiles(directory, "step-*" + Extension).OrderByDescending(p => p, StringComparer.Ordinal).ToList()
            : [];

    private static void CheckData(string path, CheckpointHeader header, TrainingDataIdentity? expected)
    {
        if (expected is not null && header.Data != expected)
        {
            throw new CheckpointException(CheckpointErrorKind.DataIdentityMismatch, path,
                $"The checkpoint was trained on {header.Data}, not on the requested {expected}. Point to the checkpoint of that shard or retrain.");
        }
    }

    private static void LoadModule(string path, UNet model, BinaryReader reader)
    {
        try
        {
            model.load(reader, strict: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or EndOfStreamException or ExternalException)
        {
            throw new CheckpointException(CheckpointErrorKind.ConfigMismatch, path,
                $"The stored weights do not match the network's parameter names or shapes: {e.Message}", e);
        }
    }

    private static (CheckpointHeader Header, byte[] Bytes, int PayloadStart) ReadVerified(string path)
    {
        if (!File.Exists(path))
        {
            throw new CheckpointException(CheckpointErrorKind.Missing, path,
                "No checkpoint file exists here. Check the path, or train first with `cdm train --out <dir>`.");
        }

        var bytes = File.ReadAllBytes(path);
        var minimum = Magic.Length + 4 + 32 + EndMagic.Length;
        if (bytes.Length < minimum || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new CheckpointException(CheckpointErrorKind.Corrupt, path, $"Not a CdmNotebooks checkpoint or truncated ({bytes.Length} bytes).");
        }

        if (!bytes.AsSpan(bytes.Length - EndMagic.Length).SequenceEqual(EndMagic))
        {
            throw new CheckpointException(CheckpointErrorKind.Corrupt, path, "The checkpoint is truncated (end marker missing); use the previous checkpoint in the same directory.");
        }

        var bodyLength = bytes.Length - 32 - EndMagic.Length;
        var hash = SHA256.HashData(bytes.AsSpan(0, bodyLength));
        if (!hash.AsSpan().SequenceEqual(bytes.AsSpan(bodyLength, 32)))
        {
            throw new CheckpointException(CheckpointErrorKind.Corrupt, path, "The checkpoint's sha256 does not match its content (corrupted file).");
        }

        var jsonLength = BitConverter.ToInt32(bytes, Magic.Length);
        CheckpointHeader? header;
        try
        {
            header = JsonSerializer.Deserialize<CheckpointHeader>(bytes.AsSpan(Magic.Length + 4, jsonLength), JsonOptions);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new CheckpointException(CheckpointErrorKind.Corrupt, path, $"The checkpoint header cannot be parsed: {e.Message}", e);
        }

        if (header is null || header.Format != FormatVersion)
        {
            throw new CheckpointException(CheckpointErrorKind.Corrupt, path, $"Unsupported checkpoint format {header?.Format}; expected {FormatVersion}.");
        }

        // The reader stops before the trailer: tensors never read into the hash bytes.
        var payloadStart = Magic.Length + 4 + jsonLength;
        return (header, bytes[..bodyLength], payloadStart);
    }
}
