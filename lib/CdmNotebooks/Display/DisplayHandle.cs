namespace CdmNotebooks.Display;

/// <summary>An output shown in the notebook that later calls can replace in place.</summary>
public sealed class DisplayHandle
{
    private readonly IDisplayPublisher _publisher;
    private readonly DisplayFormatter _formatter;

    internal DisplayHandle(IDisplayPublisher publisher, DisplayFormatter formatter, string displayId)
    {
        _publisher = publisher;
        _formatter = formatter;
        DisplayId = displayId;
    }

    /// <summary>The Jupyter display_id that update_display_data messages refer to.</summary>
    public string DisplayId { get; }

    /// <summary>Shows <paramref name="value"/> and returns a handle to update it.</summary>
    public static DisplayHandle Show(IDisplayPublisher publisher, DisplayFormatter formatter, object? value)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        ArgumentNullException.ThrowIfNull(formatter);
        var handle = new DisplayHandle(publisher, formatter, Guid.NewGuid().ToString("N"));
        publisher.Publish(formatter.Format(value), handle.DisplayId);
        return handle;
    }

    /// <summary>Replaces the shown output with <paramref name="value"/>.</summary>
    public void Update(object? value) => _publisher.Publish(_formatter.Format(value), DisplayId, update: true);
}
