using System.Diagnostics;
using System.Runtime.InteropServices;

namespace CdmNotebooks.Composition.Registry;

/// <summary>The registry's exclusive writer lock: an OS file lock that the kernel releases when its holder exits, however it exits.</summary>
/// <remarks>
/// On Windows the lock is the file's share mode (<see cref="FileShare.None"/>). On Unix .NET emulates share modes with an advisory
/// <c>flock</c> that it silently skips when DOTNET_SYSTEM_IO_DISABLEFILELOCKING is set or the file system does not support it, so the
/// lock also takes <c>flock(LOCK_EX)</c> itself and fails loudly where that is impossible: a lock that excludes nobody would let two
/// writers interleave without any sign. <c>flock</c> belongs to the open file, so it excludes other handles of the same process too.
/// </remarks>
internal sealed class RegistryWriterLock : IDisposable
{
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;

    private readonly FileStream _file;

    private RegistryWriterLock(FileStream file) => _file = file;

    /// <summary>Waits up to <paramref name="timeout"/> for the lock on <paramref name="path"/> (created if missing).</summary>
    public static RegistryWriterLock Acquire(string path, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var busy = TryAcquire(path);
            if (busy.Lock is { } acquired)
            {
                return acquired;
            }

            if (clock.Elapsed >= timeout)
            {
                throw new TimeoutException(
                    $"Waited {timeout} for the registry writer lock '{path}', which another writer still holds ({busy.Reason}). " +
                    "A lock is released as soon as its holder exits, even when killed, so a writer is still running: let it finish, " +
                    "or allow a longer wait (CDM_REGISTRY_LOCK_TIMEOUT=SECONDS, or ShardRegistry's writerLockTimeout).");
            }

            Thread.Sleep(20);
        }
    }

    public void Dispose() => _file.Dispose();

    private static (RegistryWriterLock? Lock, string Reason) TryAcquire(string path)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            return (null, e.Message);
        }

        if (OperatingSystem.IsWindows() || Flock(file.SafeFileHandle.DangerousGetHandle().ToInt32(), LockExclusive | LockNonBlocking) == 0)
        {
            return (new RegistryWriterLock(file), "");
        }

        var errno = Marshal.GetLastPInvokeError();
        file.Dispose();
        var wouldBlock = OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD() ? 35 : 11;
        return errno == wouldBlock
            ? (null, "flock: held by another process")
            : throw new IOException(
                $"Cannot lock '{path}' (flock failed with errno {errno}): this file system does not support file locks, so concurrent " +
                "writers could corrupt the registry. Keep the registry on a local file system.");
    }

    [DllImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static extern int Flock(int fd, int operation);
}
