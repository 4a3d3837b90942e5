using CdmNotebooks.Display;

namespace CdmNotebooks.Kernel;

/// <summary>What every cell can use without a prefix: display, progress bars and the interrupt token of the running cell.</summary>
public sealed class NotebookGlobals
{
    private readonly IDisplayPublisher _publisher;

    internal NotebookGlobals(IDisplayPublisher publisher, DisplayFormatter formatter)
    {
        _publisher = publisher;
        Formatter = formatter;
    }

    // Shared with the kernel so that cell results and Display calls inline plotly.js only once per notebook.
    internal DisplayFormatter Formatter { get; }

    /// <summary>Cancelled when the user interrupts the running cell: pass it to trainers and samplers so they stop between steps.</summary>
    public CancellationToken Cancellation { get; internal set; }

    /// <summary>Shows <paramref name="value"/> (chart, image tensor, table, text) now, and returns a handle to update it in place.</summary>
    public DisplayHandle Display(object? value) => DisplayHandle.Show(_publisher, Formatter, value);

    /// <summary>The Jupyter-conventional spelling of <see cref="Display"/>.</summary>
    public DisplayHandle display(object? value) => Display(value);

    /// <summary>Shows a live progress bar for <paramref name="total"/> units of work; call Report on it as work completes.</summary>
    public ProgressBar Progress(string label, long total) => new(_publisher, label, total);
}
