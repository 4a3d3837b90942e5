using System.Runtime.InteropServices;

namespace CdmNotebooks.Experiments.AccessRights;

/// <summary>Records every open of a file in watched folders, by any code in any process, through Linux inotify (IN_OPEN): the evidence that a checkpoint was or was never opened.</summary>
/// <remarks>
/// Hand-written P/Invoke because no served .NET library reports opens (FileSystemWatcher reports only changes). Permission tricks would prove
/// nothing here (the tests run as root). Opens are queued by the kernel; <see cref="Drain"/> reads them. A queue overflow is an error, never a
/// silent gap.
/// </remarks>
public sealed class FileOpenSpy : IDisposable
{
    private const int InNonBlock = 0x800;
    private const int InCloseOnExec = 0x80000;
    private const uint InOpen = 0x20;
    private const uint InQueueOverflow = 0x4000;
    private const uint InIsDirectory = 0x40000000;
    private const int TryAgain = 11;
    private readonly int _fd;
    private readonly Dictionary<int, string> _watches = new();
    private readonly List<string> _opened = [];

    /// <summary>Starts watching <paramref name="folders"/> (not recursively) for opens of the files inside them.</summary>
    public FileOpenSpy(IEnumerable<string> folders)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("FileOpenSpy uses Linux inotify; run the access-rights proof on Linux.");
        }

        _fd = inotify_init1(InNonBlock | InCloseOnExec);
        if (_fd < 0)
        {
            throw new IOException($"inotify_init1 failed (errno {Marshal.GetLastPInvokeError()}); the file-open proof needs inotify.");
        }

        foreach (var folder in folders.Select(Path.GetFullPath).Distinct(StringComparer.Ordinal))
        {
            var wd = inotify_add_watch(_fd, folder, InOpen);
            if (wd < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                close(_fd);
                throw new IOException($"Cannot watch '{folder}' for opens (inotify_add_watch errno {errno}; raise fs.inotify.max_user_watches if it is 28).");
            }

            _watches[wd] = folder;
        }
    }

    /// <summary>Full paths of every file opened since the spy started, one entry per open event, in order (after <see cref="Drain"/>).</summary>
    public IReadOnlyList<string> Opened => _opened;

    /// <summary>Reads all queued open events into <see cref="Opened"/>.</summary>
    public void Drain()
    {
        var buffer = new byte[64 * 1024];
        {
            while (true)
            {
                var read = (long)read_events(_fd, buffer, buffer.Length);
                if (read < 0)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == TryAgain)
                    {
                        return;
                    }

                    throw new IOException($"Reading inotify events failed (errno {errno}).");
                }

                // struct inotify_event { int wd; uint32 mask; uint32 cookie; uint32 len; char name[len]; }
                for (var offset = 0; offset < read;)
                {
                    var wd = BitConverter.ToInt32(buffer, offset);
                    var mask = BitConverter.ToUInt32(buffer, offset + 4);
                    var length = (int)BitConverter.ToUInt32(buffer, offset + 12);
                    if ((mask & InQueueOverflow) != 0)
                    {
                        throw new IOException("The inotify queue overflowed: some opens were not recorded, so the proof is void. Watch fewer folders or drain more often.");
                    }

                    var name = System.Text.Encoding.UTF8.GetString(buffer, offset + 16, length).TrimEnd('\0');
                    if ((mask & InIsDirectory) == 0 && _watches.TryGetValue(wd, out var folder))
                    {
                        _opened.Add(name.Length == 0 ? folder : Path.Combine(folder, name));
                    }

                    offset += 16 + length;
                }
            }
        }
    }

    public void Dispose() => close(_fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int inotify_init1(int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int inotify_add_watch(int fd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mask);

    [DllImport("libc", EntryPoint = "read", SetLastError = true)]
    private static extern nint read_events(int fd, [Out] byte[] buffer, nint count);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
