using System.Net;
using CdmNotebooks.Display;

namespace CdmNotebooks.Reporting;

/// <summary>A figure image written by an experiment (a sample grid or side-by-side pairs) with the caption that says how to read it.</summary>
/// <param name="Title">What the image shows, including how rows and columns are laid out.</param>
/// <param name="Path">The PNG file in the run's results folder.</param>
public sealed record CaptionedImage(string Title, string Path)
{
    /// <summary>The image with its caption, for a notebook cell (HTML with the PNG inline, plus the PNG alone for viewers without HTML).</summary>
    public MimeBundle ToDisplay()
    {
        var png = Convert.ToBase64String(File.ReadAllBytes(Path));
        var html = $"<figure style=\"margin:0\"><img src=\"data:image/png;base64,{png}\" alt=\"{WebUtility.HtmlEncode(Title)}\"/>" +
                   $"<figcaption style=\"font:12px sans-serif;color:#555\">{WebUtility.HtmlEncode(Title)}</figcaption></figure>";
        return new MimeBundle(new Dictionary<string, string> { ["text/plain"] = Title, ["text/html"] = html, ["image/png"] = png });
    }
}
