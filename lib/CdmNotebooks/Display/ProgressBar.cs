using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace CdmNotebooks.Display;

/// <summary>A live progress bar in a notebook output, redrawn in place (update_display_data) as work advances.</summary>
public sealed class ProgressBar : IProgress<long>
{
    // Redraws are throttled: a training loop reports every step, and a notebook must not fill up with thousands of updates.
    private static readonly TimeSpan s_minimumInterval = TimeSpan.FromMilliseconds(250);

    private readonly IDisplayPublisher _publisher;
    private readonly string _displayId = Guid.NewGuid().ToString("N");
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly object _gate = new();
    private TimeSpan _lastDrawn;

    /// <summary>Shows an empty bar labelled <paramref name="label"/> for <paramref name="total"/> units of work.</summary>
    public ProgressBar(IDisplayPublisher publisher, string label, long total)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(label);
        if (total < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(total), total, "A progress bar needs total >= 1 units of work.");
        }

        _publisher = publisher;
        Label = label;
        Total = total;
        _publisher.Publish(Render(0, null), _displayId);
    }

    /// <summary>What the bar measures.</summary>
    public string Label { get; }

    /// <summary>Units of work at 100%.</summary>
    public long Total { get; }

    /// <summary>Units of work done so far.</summary>
    public long Completed { get; private set; }

    /// <summary>Records <paramref name="completed"/> units done and redraws (at most four times a second, always at the end).</summary>
    public void Report(long completed) => Report(completed, null);

    /// <summary>Records <paramref name="completed"/> units done with a short status <paramref name="note"/> (e.g. the current loss).</summary>
    public void Report(long completed, string? note)
    {
        lock (_gate)
        {
            Completed = Math.Clamp(completed, 0, Total);
            var now = _clock.Elapsed;
            if (Completed < Total && now - _lastDrawn < s_minimumInterval)
            {
                return;
            }

            _lastDrawn = now;
            _publisher.Publish(Render(Completed, note), _displayId, update: true);
        }
    }

    private MimeBundle Render(long completed, string? note)
    {
        var fraction = (double)completed / Total;
        var percent = (fraction * 100).ToString("F0", CultureInfo.InvariantCulture);
        var elapsed = _clock.Elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture);
        var status = $"{completed}/{Total} ({percent}%) {elapsed}s{(note is null ? "" : " " + note)}";
        const int width = 30;
        var filled = (int)Math.Round(fraction * width);
        var plain = $"{Label} [{new string('#', filled)}{new string('.', width - filled)}] {status}";
        var html = $"<div><span>{WebUtility.HtmlEncode(Label)}</span> "
            + $"<progress value=\"{completed}\" max=\"{Total}\" style=\"width: 40%\"></progress> "
            + $"<span>{WebUtility.HtmlEncode(status)}</span></div>";
        return MimeBundle.Html(html, plain);
    }
}
