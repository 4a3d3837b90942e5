namespace CdmNotebooks.Display;

/// <summary>Sends rendered values to the notebook front end (the kernel implements it over Jupyter's iopub channel).</summary>
public interface IDisplayPublisher
{
    /// <summary>Shows <paramref name="bundle"/>; with <paramref name="update"/> it replaces the output shown earlier under <paramref name="displayId"/>.</summary>
    void Publish(MimeBundle bundle, string? displayId = null, bool update = false);
}
