using System;
using System.IO;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace FletSecret.Cipher;

/// <summary>The file changed between being read and being replaced: nothing was written.</summary>
public sealed class FileChangedException : IOException
{
    /// <summary>Creates the exception.</summary>
    public FileChangedException(string message) : base(message)
    {
    }
}

/// <summary>
/// Replaces a file's content so that a crash or a killed process leaves the old file or the new one, never a half:
/// the new bytes go to a temporary file beside the target (same directory, so the same file system), are flushed to
/// the disk, and the temporary file is renamed over the target, which the file system does in one step.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="content"/> over <paramref name="path"/> if the file still holds
    /// <paramref name="expected"/> (else <see cref="FileChangedException"/>, and the file is left to whoever changed
    /// it). A symbolic link is followed: the file it leads to is replaced and the link kept. On Unix the new file gets
    /// the old one's permission bits (and is never more open while it is written); on Windows the replace keeps the
    /// old file's attributes and access rules, but while it is written the temporary file has the folder's inherited
    /// ones (netstandard2.0 has no API to copy them first). On Unix the new file keeps the old one's owner and group
    /// as far as this user may give them (root: both; another user: the group, when a member of it).
    /// </summary>
    public static void Replace(string path, byte[] expected, byte[] content)
    {
        if (path is null) throw new ArgumentNullException(nameof(path));
        if (expected is null) throw new ArgumentNullException(nameof(expected));
        if (content is null) throw new ArgumentNullException(nameof(content));
        string target = FinalTarget(Path.GetFullPath(path));
        string directory = Path.GetDirectoryName(target) ?? throw new ArgumentException("The path has no directory.", nameof(path));
        // A dot file with a random name: never an existing file, and hidden from the usual listings while it lives.
        string temporary = Path.Combine(directory, "." + Path.GetFileName(target) + "." + Guid.NewGuid().ToString("N").Substring(0, 12) + ".tmp");
        try
        {
            using (FileStream stream = CreateTemporary(target, temporary))
            {
                stream.Write(content, 0, content.Length);
                stream.Flush(flushToDisk: true);
            }
            if (!SameContent(target, expected))
                throw new FileChangedException($"The file '{target}' changed while its tokens were rotated; it was left as the other writer made it. Run the command again.");
            // One rename (the replace keeps the target's metadata on Windows); no backup copy is made.
            File.Replace(temporary, target, destinationBackupFileName: null, ignoreMetadataErrors: true);
        }
        catch
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left behind: a stray temporary file, never a damaged target.
            }
            throw;
        }
    }

    /// <summary>Where a chain of symbolic links ends (net8.0); the path itself where links cannot be read.</summary>
    internal static string FinalTarget(string path)
    {
#if NET8_0_OR_GREATER
        var info = new FileInfo(path);
        if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is FileSystemInfo final) return final.FullName;
#else
        // No way to read a link's target here: renaming over the link would turn it into a file, so it is refused.
        if (File.Exists(path) && (File.GetAttributes(path) & FileAttributes.ReparsePoint) != 0)
            throw new IOException($"The file '{path}' is a symbolic link (or another reparse point); give the path of the file it leads to.");
#endif
        return path;
    }

    private static FileStream CreateTemporary(string target, string temporary)
    {
#if NET8_0_OR_GREATER
        if (!OperatingSystem.IsWindows())
        {
            UnixFileMode mode = File.GetUnixFileMode(target);
            // Created with the target's bits less the umask, then set to exactly the target's: never more open meanwhile.
            var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                UnixCreateMode = mode & (UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                                         UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
                                         UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute),
            });
            try
            {
                // The owner first: a change of owner clears the set-user-ID and set-group-ID bits, which the mode sets back.
                KeepOwner(stream.SafeFileHandle, target, (int)mode);
                File.SetUnixFileMode(stream.SafeFileHandle, mode);
            }
            catch
            {
                stream.Dispose();
                throw;
            }
            return stream;
        }
#else
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            // No API for permission bits here, but a copy keeps them: copy, then write the new content over the copy.
            File.Copy(target, temporary, overwrite: false);
            var copy = new FileStream(temporary, FileMode.Truncate, FileAccess.Write, FileShare.None, 4096, FileOptions.None);
            try
            {
                KeepOwner(copy.SafeFileHandle, target, expectedMode: null);
            }
            catch
            {
                copy.Dispose();
                throw;
            }
            return copy;
        }
#endif
        return new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.None);
    }

    /// <summary>
    /// Gives the temporary file the target's owner and group as far as this user may: root keeps both (a .env rotated
    /// with sudo stays the app's), another user keeps the group when a member of it (0640 deploy:www-data stays
    /// readable by the web server); otherwise the file is this user's and group's, as any new file.
    /// </summary>
    private static unsafe void KeepOwner(SafeFileHandle handle, string target, int? expectedMode)
    {
        // The runtime's own stat shim (libSystem.Native ships with .NET; Mono may have none): its FileStatus starts
        // Flags, Mode, Uid, Gid (int32 each) on every platform, unlike libc's struct stat. It must say a regular file
        // with the mode .NET read (where .NET can read one), else the layout is not the one expected: nothing changes.
        byte* status = stackalloc byte[FileStatusBytes];
        try
        {
            byte[] native = System.Text.Encoding.UTF8.GetBytes(target + "\0");
            int result;
            fixed (byte* path = native) result = SystemNativeStat(path, status);
            if (result != 0) return;
            int reported = *(int*)(status + 4);
            if ((reported & 0xF000) != 0x8000 || (expectedMode is int mode && (reported & 0xFFF) != mode)) return;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return;
        }
        uint owner = *(uint*)(status + 8), group = *(uint*)(status + 12);
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            int fd = (int)handle.DangerousGetHandle();
            // uid_t -1: the owner unchanged. A refusal (EPERM) leaves the file as created: this user's.
            if (FChown(fd, owner, group) != 0) _ = FChown(fd, uint.MaxValue, group);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No libc by that name: the file stays this user's.
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    /// <summary>More than the FileStatus of any .NET version (about 120 bytes); only the first 16 are read.</summary>
    private const int FileStatusBytes = 512;

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat")]
    private static extern unsafe int SystemNativeStat(byte* path, byte* status);

    [DllImport("libc", EntryPoint = "fchown")]
    private static extern int FChown(int fd, uint owner, uint group);

    private static bool SameContent(string path, byte[] expected)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
        if (stream.Length != expected.Length) return false;
        var chunk = new byte[64 * 1024];
        for (int at = 0; at < expected.Length;)
        {
            int n = stream.Read(chunk, 0, Math.Min(chunk.Length, expected.Length - at));
            if (n == 0) return false;
            for (int i = 0; i < n; i++) if (chunk[i] != expected[at + i]) return false;
            at += n;
        }
        return true;
    }
}
