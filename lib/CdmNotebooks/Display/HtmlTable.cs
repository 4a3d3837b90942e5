using System.Collections;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;

namespace CdmNotebooks.Display;

/// <summary>Renders rows of records (one column per public property or field) as an HTML table with a plain-text twin.</summary>
public static class HtmlTable
{
    /// <summary>Renders <paramref name="rows"/>, showing at most <paramref name="maxRows"/> of them.</summary>
    public static MimeBundle From<T>(IEnumerable<T> rows, int maxRows = 200) => From(rows, typeof(T), maxRows);

    /// <summary>Renders <paramref name="rows"/> whose elements are of <paramref name="rowType"/>.</summary>
    public static MimeBundle From(IEnumerable rows, Type rowType, int maxRows = 200)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(rowType);
        if (maxRows < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxRows), maxRows, "maxRows must be >= 1.");
        }

        var columns = ColumnsOf(rowType);
        var cells = new List<string[]>();
        var total = 0;
        foreach (var row in rows)
        {
            if (total++ < maxRows)
            {
                cells.Add(columns.Select(column => FormatCell(row is null ? null : column.Read(row))).ToArray());
            }
        }

        var names = columns.Select(column => column.Name).ToArray();
        var footer = total > maxRows ? $"{total - maxRows} more rows not shown ({total} in all)" : null;
        return MimeBundle.Html(ToHtml(names, cells, footer), ToPlain(names, cells, footer));
    }

    /// <summary>True for element types shown as table rows rather than as scalars.</summary>
    public static bool IsRowType(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return !(type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)
            || type == typeof(DateTime) || type == typeof(TimeSpan) || type == typeof(Guid) || type == typeof(object)
            || typeof(IEnumerable).IsAssignableFrom(type))
            && ColumnsOf(type).Count > 0;
    }

    private sealed record Column(string Name, Func<object, object?> Read);

    private static List<Column> ColumnsOf(Type type)
    {
        var members = type.GetMembers(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m is FieldInfo || m is PropertyInfo { CanRead: true } p && p.GetIndexParameters().Length == 0)
            // Records compile an EqualityContract property; it is not data.
            .Where(m => m.Name != "EqualityContract")
            .OrderBy(m => m.MetadataToken);
        return members.Select(m => m switch
        {
            PropertyInfo property => new Column(property.Name, row => property.GetValue(row)),
            FieldInfo field => new Column(field.Name, row => field.GetValue(row)),
            _ => throw new InvalidOperationException($"Unexpected member kind {m.MemberType}."),
        }).ToList();
    }

    private static string FormatCell(object? value) => value switch
    {
        null => "",
        double d => d.ToString("G6", CultureInfo.InvariantCulture),
        float f => f.ToString("G6", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static string ToHtml(string[] names, List<string[]> rows, string? footer)
    {
        var html = new StringBuilder("<table>\n<thead><tr>");
        foreach (var name in names)
        {
            html.Append("<th>").Append(WebUtility.HtmlEncode(name)).Append("</th>");
        }

        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in rows)
        {
            html.Append("<tr>");
            foreach (var cell in row)
            {
                html.Append("<td>").Append(WebUtility.HtmlEncode(cell)).Append("</td>");
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table>");
        if (footer is not null)
        {
            html.Append("\n<p><em>").Append(WebUtility.HtmlEncode(footer)).Append("</em></p>");
        }

        return html.ToString();
    }

    private static string ToPlain(string[] names, List<string[]> rows, string? footer)
    {
        var widths = names.Select((name, i) => rows.Select(r => r[i].Length).Append(name.Length).Max()).ToArray();
        var text = new StringBuilder();
        text.AppendLine(string.Join("  ", names.Select((name, i) => name.PadRight(widths[i]))).TrimEnd());
        foreach (var row in rows)
        {
            text.AppendLine(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
        }

        if (footer is not null)
        {
            text.AppendLine(footer);
        }

        return text.ToString().TrimEnd();
    }
}
