using CdmNotebooks.IO;
using CsvHelper;

namespace CdmNotebooks.Reporting;

/// <summary>
/// The typed rows of one result file: an experiment adds a record per measured configuration, each add is saved atomically (so an
/// interrupted run keeps every finished row), and a resumed run reads the same records back to skip what it measured.
/// </summary>
/// <typeparam name="TRow">A <c>[CsvRecord]</c> record type: its members, in order, are the file's columns (CsvHelper's generated mapping).</typeparam>
public sealed class ResultRows<TRow>
    where TRow : class
{
    private static readonly CsvWriterOptions WriterOptions = new() { NewLine = "\n" };
    private readonly List<TRow> _rows;

    private ResultRows(string path, List<TRow> rows)
    {
        Path = path;
        _rows = rows;
    }

    /// <summary>The column names of <typeparamref name="TRow"/>, in file order.</summary>
    public static IReadOnlyList<string> Columns { get; } = ReadHeader(WriteCsv(Array.Empty<TRow>()));

    /// <summary>The file the rows are saved to.</summary>
    public string Path { get; }

    /// <summary>The rows, in the order they were added.</summary>
    public IReadOnlyList<TRow> Rows => _rows;

    /// <summary>Opens <paramref name="path"/>: its rows when it exists, else none (the file is written at the first <see cref="Add"/>).</summary>
    /// <exception cref="InvalidDataException">The file has other columns than <typeparamref name="TRow"/>, or a field that does not parse; the message names the file and the field.</exception>
    public static ResultRows<TRow> Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new ResultRows<TRow>(path, File.Exists(path) ? Parse(File.ReadAllText(path), path) : new List<TRow>());
    }

    /// <summary>Replaces <paramref name="path"/> with <paramref name="rows"/>: a file rebuilt whole by every run.</summary>
    public static ResultRows<TRow> Create(string path, IEnumerable<TRow> rows)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(rows);
        var created = new ResultRows<TRow>(path, rows.ToList());
        created.Save();
        return created;
    }

    /// <summary>Appends <paramref name="row"/> and saves the file atomically.</summary>
    public void Add(TRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        _rows.Add(row);
        Save();
    }

    /// <summary>Appends <paramref name="rows"/> and saves the file atomically once.</summary>
    public void AddRange(IEnumerable<TRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var added = rows.ToList();
        if (added.Any(r => r is null))
        {
            throw new ArgumentException("A result row is null.", nameof(rows));
        }

        _rows.AddRange(added);
        Save();
    }

    /// <summary>Saves every row atomically (header + rows, LF line ends).</summary>
    public void Save() => AtomicFile.WriteAllText(Path, WriteCsv(_rows));

    /// <summary>The rows as a display table (notebooks, the README), with the file's columns.</summary>
    public ResultTable ToTable() => ResultTable.FromCsv(WriteCsv(_rows));

    /// <summary>The CSV text of <paramref name="rows"/>: the header, then one record per row; doubles are written in their shortest round-trip form.</summary>
    public static string WriteCsv(IEnumerable<TRow> rows)
    {
        var text = new StringWriter();
        using (var writer = CsvWriter.Create(text, WriterOptions, true))
        {
            writer.WriteRecords(rows);
        }

        return text.ToString();
    }

    /// <summary>The rows of CSV <paramref name="text"/> (from <paramref name="source"/>, named in errors).</summary>
    /// <exception cref="InvalidDataException">See <see cref="Open"/>.</exception>
    public static List<TRow> Parse(string text, string source)
    {
        // Columns are matched by name (with each member's former names), so the count check is what catches a file with an extra column, whose
        // values a re-save would silently drop.
        var header = ReadHeader(text);
        if (header.Count != Columns.Count)
        {
            throw Mismatch(source, header, null);
        }

        try
        {
            using var reader = CsvReader.Create(new StringReader(text), new CsvReaderOptions());
            return reader.GetRecords<TRow>().ToList();
        }
        catch (Exception e) when (e is CsvFormatException or KeyNotFoundException)
        {
            throw Mismatch(source, header, e.Message);
        }
    }

    private static InvalidDataException Mismatch(string source, IReadOnlyList<string> header, string? detail) =>
        new($"{source}: {detail ?? "its columns differ from this experiment's"} (file columns [{string.Join(", ", header)}], " +
            $"expected [{string.Join(", ", Columns)}]). Move the old results aside (another version made them) and run again.");

    private static IReadOnlyList<string> ReadHeader(string text)
    {
        using var reader = CsvReader.Create(new StringReader(text), new CsvReaderOptions { HasHeader = false });
        return reader.Read() ? Enumerable.Range(0, reader.FieldCount).Select(reader.GetString).ToArray() : Array.Empty<string>();
    }
}
