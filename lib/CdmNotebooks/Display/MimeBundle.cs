namespace CdmNotebooks.Display;

/// <summary>One displayable value rendered to Jupyter MIME types (e.g. text/plain, text/html, image/png as base64).</summary>
public sealed record MimeBundle(IReadOnlyDictionary<string, string> Data)
{
    /// <summary>A bundle holding only plain text.</summary>
    public static MimeBundle Text(string text) => new(new Dictionary<string, string> { ["text/plain"] = text });

    /// <summary>A bundle holding HTML and its plain-text fallback.</summary>
    public static MimeBundle Html(string html, string plain) =>
        new(new Dictionary<string, string> { ["text/plain"] = plain, ["text/html"] = html });

    /// <summary>A bundle holding a PNG image (encoded as base64, as Jupyter expects) and its plain-text fallback.</summary>
    public static MimeBundle Png(byte[] png, string plain) =>
        new(new Dictionary<string, string> { ["text/plain"] = plain, ["image/png"] = Convert.ToBase64String(png) });
}
