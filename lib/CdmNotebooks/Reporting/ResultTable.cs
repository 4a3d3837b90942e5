using System.Globalization;
using System.Net;
using System.Text;
using CdmNotebooks.IO;
using CsvHelper;

namespace CdmNotebooks.Reporting;

/// <summary>Rows of measured results with a fixed, ordered set of columns, saved as CSV (one row per measured configuration) and shown as HTML or Markdown.</summary>
public sealed class ResultTable
{
    private readonly List<string[]> _rows = new();
    private readonly Dictionary<string, int> _index;

    /// <summary>Creates an empty table with the given column names (unique, non-empty).</summary>
    public ResultTable(IReadOnlyList<string> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if (columns.Count == 0 || columns.Any(string.IsNullOrWhiteSpace) || columns.Distinct().Count() != columns.Count)
        {
            throw new ArgumentException($"Result columns must be non-empty and unique; got [{string.Join(", ", columns)}].", nameof(columns));
        }

        Columns = columns.ToArray();
        _index = Columns.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
    }

    /// <summary>The column names, in order.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>The rows as formatted strings, in column order.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Rows => _rows;

    /// <summary>Adds a row; every named value must be a known column, missing columns stay empty. Numbers are written invariantly (doubles round-trip).</summary>
    public void Add(params (string Column, object? Value)[] values)
    {
        var row = new string[Columns.Count];
        Array.Fill(row, "");
        foreach (var (column, value) in values)
        {
            if (!_index.TryGetValue(column, out var i))
            {
                throw new ArgumentException($"Unknown result column '{column}'. Columns: {string.Join(", ", Columns)}.", nameof(values));
            }

            row[i] = Format(value);
        }

        _rows.Add(row);
    }

    /// <summary>The value of <paramref name="column"/> in row <paramref name="row"/>.</summary>
    public string Get(int row, string column) => _rows[row][_index.TryGetValue(column, out var i) ? i : throw new ArgumentException($"Unknown column '{column}'.", nameof(column))];

    /// <summary>Whether some row has all the given column values (used to skip configurations already measured when a run resumes).</summary>
    public bool Contains(params (string Column, object? Value)[] key) =>
        _rows.Any(row => key.All(k => _index.TryGetValue(k.Column, out var i) && row[i] == Format(k.Value)));

    /// <summary>Writes the table as CSV atomically (header + rows, LF line ends).</summary>
    public void SaveCsv(string path)
    {
        AtomicFile.Write(path, stream =>
        {
            using var writer = CsvWriter.Create(stream, new CsvWriterOptions { NewLine = "\n" }, true);
            foreach (var column in Columns)
            {
                writer.WriteField(column);
            }

            writer.EndRecord();
            foreach (var row in _rows)
            {
                foreach (var value in row)
                {
                    writer.WriteField(value);
                }

                writer.EndRecord();
            }
        });
    }

    /// <summary>Reads a CSV written by <see cref="SaveCsv"/>; a missing file gives an empty table with <paramref name="columns"/>.</summary>
    public static ResultTable LoadCsvOrEmpty(string path, IReadOnlyList<string> columns)
    {
        var table = new ResultTable(columns);
        if (!File.Exists(path))
        {
            return table;
        }

        using var reader = CsvReader.FromFile(path, new CsvReaderOptions { HasHeader = false });
        var header = reader.Read() ? Enumerable.Range(0, reader.FieldCount).Select(reader.GetString).ToArray() : Array.Empty<string>();
        if (!header.SequenceEqual(columns))
        {
            throw new InvalidDataException(
                $"{path}: its columns [{string.Join(", ", header)}] differ from this experiment's [{string.Join(", ", columns)}]. " +
                "Move the old results aside (they were made by another version) and run again.");
        }

        while (reader.Read())
        {
            table._rows.Add(Enumerable.Range(0, columns.Count).Select(i => i < reader.FieldCount ? reader.GetString(i) : "").ToArray());
        }

        return table;
    }

    /// <summary>The table of CSV <paramref name="text"/> (a header, then records): how typed rows (<see cref="ResultRows{TRow}"/>) are displayed.</summary>
    public static ResultTable FromCsv(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var reader = CsvReader.Create(new StringReader(text), new CsvReaderOptions { HasHeader = false });
        if (!reader.Read())
        {
            throw new InvalidDataException("A result table needs a header line; the CSV text is empty.");
        }

        var table = new ResultTable(Enumerable.Range(0, reader.FieldCount).Select(reader.GetString).ToArray());
        while (reader.Read())
        {
            table._rows.Add(Enumerable.Range(0, table.Columns.Count).Select(i => i < reader.FieldCount ? reader.GetString(i) : "").ToArray());
        }

        return table;
    }

    /// <summary>An HTML table (for notebooks).</summary>
    public string ToHtml()
    {
        var html = new StringBuilder("<table><thead><tr>");
        foreach (var c in Columns)
        {
            html.Append("<th>").Append(WebUtility.HtmlEncode(c)).Append("</th>");
        }

        html.Append("</tr></thead><tbody>");
        foreach (var row in _rows)
        {
            html.Append("<tr>");
            foreach (var v in row)
            {
                html.Append("<td>").Append(WebUtility.HtmlEncode(v)).Append("</td>");
            }

            html.Append("</tr>");
        }

        return html.Append("</tbody></table>").ToString();
    }

    /// <summary>A GitHub-flavoured Markdown table of the chosen columns (all by default), for the README.</summary>
    public string ToMarkdown(IReadOnlyList<string>? columns = null)
    {
        columns ??= Columns;
        var indices = columns.Select(c => _index[c]).ToArray();
        var md = new StringBuilder();
        md.Append("| ").Append(string.Join(" | ", columns)).Append(" |\n|").Append(string.Concat(columns.Select(_ => "---|"))).Append('\n');
        foreach (var row in _rows)
        {
            md.Append("| ").Append(string.Join(" | ", indices.Select(i => row[i].Replace("|", "\\|")))).Append(" |\n");
        }

        return md.ToString();
    }

    private static string Format(object? value) => value switch
    {
        null => "",
        double d => double.IsFinite(d) ? Math.Round(d, 6).ToString("R", CultureInfo.InvariantCulture) : d.ToString(CultureInfo.InvariantCulture),
        float f => ((double)f).ToString("G7", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
