#nullable enable
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Marks the GLIBCXX_3.4.32 version need of libLibTorchSharp.so weak when the system libstdc++ lacks that version.
/// Compiled by MSBuild's RoslynCodeTaskFactory; see TorchSharpNativeFix.targets for the root cause.
/// </summary>
public sealed class PatchLibTorchSharpGlibcxx : Task
{
    private const string NeededVersion = "GLIBCXX_3.4.32";
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    [Required]
    public string Directory { get; set; } = "";

    public override bool Execute()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            return true;
        }

        var libraries = System.IO.Directory.GetFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories);
        if (libraries.Length == 0)
        {
            return true;
        }

        var systemLibStdCxx = FindSystemLibStdCxx();
        if (systemLibStdCxx != null && FileContains(systemLibStdCxx, Encoding.ASCII.GetBytes(NeededVersion + "\0")))
        {
            Log.LogMessage(MessageImportance.Low, $"TorchSharp native fix: {systemLibStdCxx} provides {NeededVersion}; no patch needed.");
            return true;
        }

        foreach (var library in libraries)
        {
            try
            {
                PatchOne(library, systemLibStdCxx);
            }
            catch (Exception ex) when (ex is IOException || ex is InvalidDataException || ex is UnauthorizedAccessException)
            {
                Log.LogError($"TorchSharp native fix: could not patch {library}: {ex.Message}. " +
                             "TorchSharp will fail to load on this machine; delete the build output and rebuild.");
                return false;
            }
        }

        return true;
    }

    private void PatchOne(string library, string? systemLibStdCxx)
    {
        var bytes = File.ReadAllBytes(library);
        var flagsOffset = FindVernauxFlagsOffset(bytes, NeededVersion);
        if (flagsOffset < 0)
        {
            Log.LogMessage(MessageImportance.Low, $"TorchSharp native fix: {library} does not need {NeededVersion}; nothing to do.");
            return;
        }

        var flags = BitConverter.ToUInt16(bytes, flagsOffset);
        if ((flags & VerFlgWeak) != 0)
        {
            Log.LogMessage(MessageImportance.Low, $"TorchSharp native fix: {library} already patched.");
            return;
        }

        var patched = (ushort)(flags | VerFlgWeak);
        bytes[flagsOffset] = (byte)(patched & 0xff);
        bytes[flagsOffset + 1] = (byte)(patched >> 8);

        // Write beside the target and rename: never modify a hard-linked package-cache file in place,
        // and never leave a half-written library behind.
        var temp = library + ".cdmpatch.tmp";
        File.WriteAllBytes(temp, bytes);
        File.Replace(temp, library, null);
        Log.LogMessage(MessageImportance.High,
            $"TorchSharp native fix: marked {NeededVersion} weak in {library} " +
            $"(system libstdc++ {(systemLibStdCxx ?? "not found")} lacks it).");
    }

    /// <summary>Returns the file offset of vna_flags of the Vernaux entry named <paramref name="version"/>, or -1.</summary>
    private static int FindVernauxFlagsOffset(byte[] elf, string version)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
        {
            throw new InvalidDataException("not an ELF file");
        }

        if (elf[4] != 2 || elf[5] != 1)
        {
            throw new InvalidDataException("not a little-endian ELF64 file");
        }

        var sectionHeaderOffset = (long)BitConverter.ToUInt64(elf, 0x28);
        int sectionHeaderSize = BitConverter.ToUInt16(elf, 0x3A);
        int sectionCount = BitConverter.ToUInt16(elf, 0x3C);
        for (var i = 0; i < sectionCount; i++)
        {
            var header = checked((int)(sectionHeaderOffset + (long)i * sectionHeaderSize));
            var type = BitConverter.ToUInt32(elf, header + 4);
            if (type != ShtGnuVerneed)
            {
                continue;
            }

            var offset = checked((int)BitConverter.ToUInt64(elf, header + 0x18));
            var link = (int)BitConverter.ToUInt32(elf, header + 0x28);
            var stringsHeader = checked((int)(sectionHeaderOffset + (long)link * sectionHeaderSize));
            var stringsOffset = checked((int)BitConverter.ToUInt64(elf, stringsHeader + 0x18));

            var need = offset;
            while (true)
            {
                int count = BitConverter.ToUInt16(elf, need + 2);
                var aux = need + (int)BitConverter.ToUInt32(elf, need + 8);
                for (var k = 0; k < count; k++)
                {
                    var name = ReadCString(elf, stringsOffset + (int)BitConverter.ToUInt32(elf, aux + 8));
                    if (name == version)
                    {
                        return aux + 4;
                    }

                    aux += (int)BitConverter.ToUInt32(elf, aux + 12);
                }

                var next = (int)BitConverter.ToUInt32(elf, need + 12);
                if (next == 0)
                {
                    break;
                }

                need += next;
            }
        }

        return -1;
    }

    private static string ReadCString(byte[] data, int offset)
    {
        var end = offset;
        while (end < data.Length && data[end] != 0)
        {
            end++;
        }

        return Encoding.ASCII.GetString(data, offset, end - offset);
    }

    private static string? FindSystemLibStdCxx()
    {
        var candidates = new List<string>();
        try
        {
            var info = new ProcessStartInfo("ldconfig", "-p") { RedirectStandardOutput = true, UseShellExecute = false };
            using var process = Process.Start(info);
            if (process != null)
            {
                var output = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                foreach (var line in output.Split('\n'))
                {
                    if (line.Contains("libstdc++.so.6") && line.Contains("x86-64") && line.Contains("=>"))
                    {
                        candidates.Add(line.Substring(line.IndexOf("=>", StringComparison.Ordinal) + 2).Trim());
                    }
                }
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // ldconfig absent: fall back to the standard locations below.
        }

        candidates.AddRange(new[]
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6",
        });
        foreach (var candidate in candidates)
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static bool FileContains(string path, byte[] needle)
    {
        var data = File.ReadAllBytes(path);
        for (var i = 0; i + needle.Length <= data.Length; i++)
        {
            var match = true;
            for (var j = 0; j < needle.Length; j++)
            {
                if (data[i + j] != needle[j])
                {
                    match = false;
                    break;
                }
            }

            if (match)
            {
                return true;
            }
        }

        return false;
    }
}
