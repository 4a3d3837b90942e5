using System.Net;
using System.Text;
using CsvHelper;

namespace CdmNotebooks.Reporting;

/// <summary>
/// Result rows as text cells with their column names, for display (HTML in notebooks, Markdown in the README). Experiments write and
/// read their rows as record types (<see cref="ResultRows{TRow}"/>); this is the view of those rows an <see cref="Experiments.ExperimentReport"/> carries.
/// </summary>
public sealed class ResultTable
{
    private readonly List<string[]> _rows = new();
    private readonly Dictionary<string, int> _index;

    private ResultTable(IReadOnlyList<string> columns)
    {
        if (columns.Count == 0 || columns.Any(string.IsNullOrWhiteSpace) || columns.Distinct().Count() != columns.Count)
        {
            throw new InvalidDataException($"Result columns must be non-empty and unique; got [{string.Join(", ", columns)}].");
        }

        Columns = columns.ToArray();
        _index = Columns.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
    }

    /// <summary>The column names, in order.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>The rows as formatted strings, in column order.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Rows => _rows;

    /// <summary>The text of <paramref name="column"/> in row <paramref name="row"/>.</summary>
    public string Get(int row, string column) => _rows[row][_index.TryGetValue(column, out var i) ? i : throw new ArgumentException($"Unknown column '{column}'. Columns: {string.Join(", ", Columns)}.", nameof(column))];

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
}
