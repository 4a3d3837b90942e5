using System.Text;
using System.Text.Json;
using CdmNotebooks.Composition.Registry;

namespace CdmNotebooks.Protection;

/// <summary>Append-only JSON-lines log of protection operations in the registry folder.</summary>
public sealed class AuditLog
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The log of <paramref name="registry"/>.</summary>
    public AuditLog(ShardRegistry registry) => Path = (registry ?? throw new ArgumentNullException(nameof(registry))).AuditLogPath;

    /// <summary>The log file.</summary>
    public string Path { get; }

    /// <summary>Appends one record as a single line and flushes it to disk.</summary>
    public void Append(AuditRecord record)
    {
        // One write call of one line: a crash can at worst leave a torn last line, which Read reports instead of hiding.
        var line = JsonSerializer.Serialize(record, Json) + "\n";
        using var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
        stream.Write(Encoding.UTF8.GetBytes(line));
        stream.Flush(flushToDisk: true);
    }

    /// <summary>Every record, oldest first; a malformed line is an error naming its line number.</summary>
    public IReadOnlyList<AuditRecord> Read()
    {
        if (!File.Exists(Path))
        {
            return [];
        }

        var records = new List<AuditRecord>();
        var number = 0;
        foreach (var line in File.ReadLines(Path))
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }

            try
            {
                records.Add(JsonSerializer.Deserialize<AuditRecord>(line, Json) ?? throw new JsonException("null record"));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"Audit log '{Path}' line {number} is not a valid record: {e.Message}", e);
            }
        }

        return records;
    }
}
