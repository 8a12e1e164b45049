using System;
using System.Collections;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;
using FletSecret.Cipher;

namespace FletSecret;

/// <summary>A key could not be had: becomes a terminating error with a stable id and advice.</summary>
internal sealed class KeySourceException : Exception
{
    public KeySourceException(string errorId, ErrorCategory category, string message, string recommendedAction, object? target = null)
        : base(message)
    {
        ErrorId = errorId;
        Category = category;
        RecommendedAction = recommendedAction;
        Target = target;
    }

    public string ErrorId { get; }
    public ErrorCategory Category { get; }

    /// <summary>What to do next; agrees with the message and never suggests the source that just failed.</summary>
    public string RecommendedAction { get; }

    public object? Target { get; }
}

/// <summary>Where the passphrase comes from. Messages name the source, never a value.</summary>
internal static class KeySource
{
    public const string DefaultVariable = "FLET_SECRET_KEY";

    /// <summary>A key file larger than this is a mistake (a wrong path, a certificate bundle), not a passphrase.</summary>
    public const int MaxKeyFileBytes = 64 * 1024;

    /// <summary>The ways to give a key, by parameter set; the advice after a failure lists the others.</summary>
    private static readonly (string Set, string Text)[] s_ways =
    {
        (FletKeyCommandBase.KeySet, "-Key with a SecureString (for example from Get-Secret or Read-Host -AsSecureString)"),
        (FletKeyCommandBase.KeyEnvironmentVariableSet, "-KeyEnvironmentVariable with the name of a variable that holds the key"),
        (FletKeyCommandBase.KeyFileSet, "-KeyFile with the path of a file that holds the key"),
        (FletKeyCommandBase.DefaultKeySet, "no key parameter, with the key in the environment variable " + DefaultVariable),
    };

    /// <summary>"give the key another way: ..." without the way that failed.</summary>
    internal static string OtherWays(string failedSet)
    {
        var ways = new System.Collections.Generic.List<string>();
        foreach ((string set, string text) in s_ways)
            if (set != failedSet) ways.Add(text);
        return "give the key another way: " + string.Join("; ", ways.GetRange(0, ways.Count - 1)) + "; or " + ways[ways.Count - 1] + ".";
    }

    public static FletPassphrase FromSecureString(SecureString key)
    {
        int length;
        try
        {
            length = key.Length;
        }
        catch (ObjectDisposedException)
        {
            throw KeyDisposed();
        }
        if (length == 0)
            throw new KeySourceException("FletSecret.KeyEmpty", ErrorCategory.InvalidArgument,
                "The -Key SecureString is empty. An empty passphrase protects nothing; give the app's secret key.",
                "Put the app's secret key in the SecureString, or " + OtherWays(FletKeyCommandBase.KeySet));
        try
        {
            return Wrap(() => new FletPassphrase(key), "The -Key SecureString", FletKeyCommandBase.KeySet);
        }
        catch (ObjectDisposedException)
        {
            throw KeyDisposed(); // by another runspace, between the two reads
        }
    }

    // A $null among several -Key values (binding refuses a null -Key itself).
    internal static KeySourceException KeyMissing() =>
        new("FletSecret.KeyEmpty", ErrorCategory.InvalidArgument,
            "A -Key value is $null: it holds no key.",
            "Give a SecureString for every -Key value (for example from Get-Secret or Read-Host -AsSecureString), or " + OtherWays(FletKeyCommandBase.KeySet));

    // Disposed by its owner before the call (a `using` or finally that ran too early): nothing is left to read.
    private static KeySourceException KeyDisposed() =>
        new("FletSecret.KeyDisposed", ErrorCategory.InvalidArgument,
            "The -Key SecureString was disposed of before the command could read it, so it holds no key any more.",
            "Give a SecureString that is not yet disposed of (dispose of it after the command), or " + OtherWays(FletKeyCommandBase.KeySet));

    /// <param name="role">What the key is called in messages: "key", or "old key" where a cmdlet takes a new one too.</param>
    public static FletPassphrase FromEnvironment(string name, bool named, string role = "key")
    {
        string? value = Environment.GetEnvironmentVariable(name);
        if (value is null)
        {
            if (!named)
            {
                string ways = "Set " + DefaultVariable + " to the app's secret key (in CI, map the secret to it), or " +
                    OtherWays(FletKeyCommandBase.DefaultKeySet);
                string missing = role == "key"
                    ? "No key was given and the environment variable " + DefaultVariable + " is not set. "
                    : $"No {role} was given (-Key, -KeyEnvironmentVariable or -KeyFile) and the environment variable {DefaultVariable}, the default {role}, is not set. ";
                throw new KeySourceException("FletSecret.KeyNotFound", ErrorCategory.ObjectNotFound, missing + ways, ways);
            }
            if (!LooksLikeAName(name))
            {
                // A value where a name belongs (-KeyEnvironmentVariable $env:FLET_SECRET_KEY) may be the key itself:
                // it is never repeated, neither in the message nor as the target.
                throw new KeySourceException("FletSecret.KeyEnvironmentVariableNameInvalid", ErrorCategory.InvalidArgument,
                    "-KeyEnvironmentVariable takes the name of an environment variable, such as " + DefaultVariable +
                    ", but what was given is not the name of a set variable: it has characters that a name does not have, " +
                    "or it is the value of a variable. It is not repeated here, in case it is the key itself.",
                    "Give the variable's name, without '$env:' (for example -KeyEnvironmentVariable " + DefaultVariable + "), not its value.");
            }
            if (!SafeToRepeat(name))
            {
                // A name, but one a key could be (mixed case, mostly digits, long): said without repeating it.
                string unnamedAdvice = "Set the variable (in CI, map the secret to it), or " + OtherWays(FletKeyCommandBase.KeyEnvironmentVariableSet);
                throw new KeySourceException("FletSecret.KeyEnvironmentVariableNotFound", ErrorCategory.ObjectNotFound,
                    "The environment variable named by -KeyEnvironmentVariable is not set. Its name is not repeated here: it does " +
                    "not read as a usual variable name, so it may be a key given by mistake. " + unnamedAdvice, unnamedAdvice);
            }
            string advice = $"Set the variable '{name}' (in CI, map the secret to it), or " + OtherWays(FletKeyCommandBase.KeyEnvironmentVariableSet);
            throw new KeySourceException("FletSecret.KeyEnvironmentVariableNotFound", ErrorCategory.ObjectNotFound,
                $"The environment variable '{name}' is not set. " + advice, advice, name);
        }
        if (value.Length == 0)
            throw new KeySourceException("FletSecret.KeyEnvironmentVariableEmpty", ErrorCategory.InvalidData,
                $"The environment variable '{name}' is empty. In CI this usually means the secret is not available to " +
                "this job (for example in a pull request from a fork); set it to the app's secret key.",
                $"Set '{name}' to the app's secret key; in CI, make the secret available to this job.", name);
        return Wrap(() => new FletPassphrase(value), $"The environment variable '{name}'",
            named ? FletKeyCommandBase.KeyEnvironmentVariableSet : FletKeyCommandBase.DefaultKeySet);
    }

    /// <summary>
    /// Whether an unset variable's "name" is a name at all: a portable one (a letter or '_', then letters, digits and
    /// '_', as POSIX shells and CI systems use), and not the value of any variable of this process.
    /// </summary>
    internal static bool LooksLikeAName(string name)
    {
        if (name.Length == 0 || name.Length > 255) return false;
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
            if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
        }
        return !IsValueOfEnvironmentVariable(name);
    }

    /// <summary>
    /// Whether a name may be repeated in an error: it reads as variables are usually named (upper-case letters, digits
    /// and '_', at most 64 characters, no more than a third digits). A key held in a PowerShell variable and given by
    /// mistake (mixed case, hex, base64 without its symbols) fails this.
    /// </summary>
    internal static bool SafeToRepeat(string name)
    {
        if (name.Length > 64) return false;
        int digits = 0;
        foreach (char c in name)
        {
            if (c >= 'a' && c <= 'z') return false;
            if (c >= '0' && c <= '9') digits++;
        }
        return digits * 3 <= name.Length;
    }

    /// <summary>Whether <paramref name="text"/> is the value of a variable of this process: then it may be a key.</summary>
    private static bool IsValueOfEnvironmentVariable(string text)
    {
        foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            if (variable.Value is string value && string.Equals(value, text, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    /// <summary>
    /// Resolves -KeyFile as a literal FileSystem path against the current PowerShell location. A path of another
    /// provider (env:PATH, HKLM:\..., variable:x) is refused: its provider path is not a file.
    /// </summary>
    public static string ResolveKeyFilePath(SessionState session, string keyFile)
    {
        // A value where a path belongs (-KeyFile $env:FLET_SECRET_KEY) may be the key itself: when it names no file,
        // it is never repeated, neither in the message nor as the target.
        if (IsValueOfEnvironmentVariable(keyFile) && !NamesAFile(session, keyFile))
            throw new KeySourceException("FletSecret.KeyFileNotFound", ErrorCategory.ObjectNotFound,
                "-KeyFile takes the path of a key file, but what was given names no file and is the value of an environment " +
                "variable. It is not repeated here, in case it is the key itself.",
                "Give the key file's path; for a key in an environment variable, give its name with -KeyEnvironmentVariable " +
                "(for example -KeyEnvironmentVariable " + DefaultVariable + "), not its value.");

        string path;
        ProviderInfo provider;
        try
        {
            path = session.Path.GetUnresolvedProviderPathFromPSPath(keyFile, out provider, out _);
        }
        catch (Exception e) when (e is SessionStateException or NotSupportedException or ArgumentException or PSArgumentException
                                      or PSNotSupportedException or PSInvalidOperationException)
        {
            throw new KeySourceException("FletSecret.KeyFileNotFound", ErrorCategory.ObjectNotFound,
                $"The key file path '{keyFile}' cannot be resolved: {e.GetType().Name}. Check the path; relative paths start at the current PowerShell location.",
                "Give the path of the key file (for a Docker secret: /run/secrets/<name>), or " + OtherWays(FletKeyCommandBase.KeyFileSet), keyFile);
        }
        if (!string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
        {
            throw new KeySourceException("FletSecret.KeyFileNotFileSystemPath", ErrorCategory.InvalidArgument,
                $"-KeyFile takes the path of a file, and '{keyFile}' is a path of the {provider.Name} provider, not of the file system" +
                " (the current location counts for a relative path).",
                "Give the path of a file (Set-Location to a file system folder first for a relative path); for a key in an " +
                "environment variable, use -KeyEnvironmentVariable <name>.", keyFile);
        }
        return path;
    }

    private static bool NamesAFile(SessionState session, string keyFile)
    {
        try
        {
            return File.Exists(session.Path.GetUnresolvedProviderPathFromPSPath(keyFile));
        }
        catch (Exception e) when (e is SessionStateException or NotSupportedException or ArgumentException or PSArgumentException
                                      or PSNotSupportedException or PSInvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// Reads a key file's bytes straight into the passphrase: a UTF-8 BOM is skipped and one trailing "\n" or
    /// "\r\n" removed, since `echo "$KEY" > file` and most secret tools write one. Only a regular file (after links)
    /// is read, so a pipe, a FIFO or a device can never make the call wait. The file is read without a stream buffer
    /// into one array that is zeroed before this returns: the passphrase's own array is the only copy left.
    /// </summary>
    public static FletPassphrase FromFile(string path)
    {
        const string NotFoundAdvice = "Check the path (for a Docker secret: /run/secrets/<name>); relative paths start at the current PowerShell location.";
        if (Directory.Exists(path) || !File.Exists(path))
            throw new KeySourceException("FletSecret.KeyFileNotFound", ErrorCategory.ObjectNotFound,
                $"The key file '{path}' does not exist or is not a file. " + NotFoundAdvice, NotFoundAdvice, path);

        string? kind = NotRegularFileKind(path);
        if (kind is not null) throw NotRegular(path, kind);

        byte[]? content = null;
        try
        {
            // bufferSize 1: no FileStream buffer on any runtime (.NET Framework reads a request of >= 1 byte directly;
            // .NET 6+ treats 0 and 1 as unbuffered), so the bytes land only in `content`.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.None);
            // Swapped for a pipe between the check and the open, or a platform without the check: refuse, never wait.
            if (!stream.CanSeek) throw NotRegular(path, "a pipe or a device");
            long length = stream.Length;
            if (length > MaxKeyFileBytes)
                throw new KeySourceException("FletSecret.KeyFileTooLarge", ErrorCategory.LimitsExceeded,
                    $"The key file '{path}' is {length} bytes; a key file holds at most {MaxKeyFileBytes} bytes. Check that the path names the key, not another file.",
                    "Check that -KeyFile names the key file, not another file; a key file holds only the key.", path);
            content = new byte[length];
            int read = 0;
            while (read < content.Length)
            {
                int n = stream.Read(content, read, content.Length - read);
                if (n == 0) break;
                read += n;
            }
            LastFileBuffer = content;
            return Decode(path, content, read);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or SecurityException)
        {
            throw new KeySourceException("FletSecret.KeyFileUnreadable", ErrorCategory.PermissionDenied,
                $"The key file '{path}' cannot be read: {e.GetType().Name}. Check its permissions and that this user may read it.",
                "Check the file's permissions and that this user may read it, or " + OtherWays(FletKeyCommandBase.KeyFileSet), path);
        }
        catch (IOException e)
        {
            // Not a permission problem (a symbolic link loop, a read error): the system's reason, which names the path,
            // says what to fix; it never holds the file's content.
            throw new KeySourceException("FletSecret.KeyFileUnreadable", ErrorCategory.ReadError,
                $"The key file '{path}' cannot be read: {e.Message} Check that the path (and any symbolic link in it) leads to the key file.",
                "Check that -KeyFile leads to the key file (a symbolic link loop or a broken link does not), or " + OtherWays(FletKeyCommandBase.KeyFileSet), path);
        }
        finally
        {
            if (content is not null) Array.Clear(content, 0, content.Length);
        }
    }

    /// <summary>The last array a key file was read into (zeroed by now): lets the tests check that nothing is left in it.</summary>
    internal static byte[]? LastFileBuffer { get; private set; }

    private static FletPassphrase Decode(string path, byte[] content, int length)
    {
        int start = length >= 3 && content[0] == 0xEF && content[1] == 0xBB && content[2] == 0xBF ? 3 : 0;
        int end = length;
        if (end > start && content[end - 1] == (byte)'\n')
        {
            end--;
            if (end > start && content[end - 1] == (byte)'\r') end--;
        }
        if (end == start)
            throw new KeySourceException("FletSecret.KeyFileEmpty", ErrorCategory.InvalidData,
                $"The key file '{path}' is empty (after its line ending). Write the app's secret key into it.",
                "Write the app's secret key into the file, or " + OtherWays(FletKeyCommandBase.KeyFileSet), path);

        var passphrase = new byte[end - start];
        Buffer.BlockCopy(content, start, passphrase, 0, passphrase.Length);
        if (!IsUtf8(passphrase))
        {
            Array.Clear(passphrase, 0, passphrase.Length);
            throw new KeySourceException("FletSecret.InvalidKeyText", ErrorCategory.InvalidData,
                $"The key file '{path}' is not UTF-8 text. Flet keys are text; save the file as UTF-8.",
                "Save the key file as UTF-8 text.", path);
        }
        return FletPassphrase.Own(passphrase);
    }

    private static KeySourceException NotRegular(string path, string kind) =>
        new("FletSecret.KeyFileNotRegular", ErrorCategory.InvalidArgument,
            $"The key file '{path}' is {kind}, not a regular file. A key is read only from a regular file, so that the call never waits on a pipe " +
            "(such as /dev/stdin or <(...)) or a device.",
            "Write the key to a regular file readable only by this user (chmod 600) and give its path, or give the key with " +
            "-KeyEnvironmentVariable <name> or -Key <SecureString>.", path);

    /// <summary>
    /// On Unix, what the path is (after links) when it is not a regular file, or null. It asks the runtime's own
    /// native shim (libSystem.Native, which File and FileStream use), whose FileStatus starts with Flags then Mode, in
    /// portable S_IF* values, on every platform. Opening a FIFO to look would block until a writer came.
    /// </summary>
    internal static unsafe string? NotRegularFileKind(string path)
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return null;
        byte[] native = Encoding.UTF8.GetBytes(path + "\0");
        byte* status = stackalloc byte[512]; // FileStatus is about 130 bytes on .NET 8 to 10: room for growth
        int result;
        try
        {
            fixed (byte* pathPointer = native) result = SystemNativeStat(pathPointer, status);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null; // no shim: the CanSeek check after opening still refuses a pipe
        }
        finally
        {
            Array.Clear(native, 0, native.Length);
        }
        if (result != 0) return null; // gone or unreadable: opening it gives the specific error
        int type = *(int*)(status + 4) & 0xF000;
        return type switch
        {
            0x8000 => null,
            0x1000 => "a pipe or FIFO",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0xC000 => "a socket",
            0x4000 => "a folder",
            _ => "not a regular file",
        };
    }

    [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat")]
    private static extern unsafe int SystemNativeStat(byte* path, byte* status);

    /// <summary>The warning a Unix key file readable or writable by group or others deserves, or null.</summary>
    public static string? PermissionWarning(string path)
    {
        if (s_getUnixFileMode is null || RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) return null;
        int mode;
        try
        {
            mode = Convert.ToInt32(s_getUnixFileMode.Invoke(null, new object[] { path }), CultureInfo.InvariantCulture);
        }
        catch (TargetInvocationException)
        {
            return null; // removed or made unreadable since it was read: the key is in hand, and nothing is left to warn of
        }
        const int GroupOrOthersReadWrite = 0x36; // UnixFileMode.GroupRead | GroupWrite | OtherRead | OtherWrite (0066)
        if ((mode & GroupOrOthersReadWrite) == 0) return null;
        string octal = Convert.ToString(mode & 0x1FF, 8).PadLeft(4, '0');
        return $"The key file '{path}' can be read or written by other users (mode {octal}); restrict it with: chmod 600 '{path}'.";
    }

    // File.GetUnixFileMode exists from .NET 7: on PowerShell 7.4+ this one netstandard2.0 build finds it at run time;
    // Windows PowerShell 5.1 has no Unix files to check.
    private static readonly MethodInfo? s_getUnixFileMode = typeof(File).GetMethod("GetUnixFileMode", new[] { typeof(string) });

    private static bool IsUtf8(byte[] bytes)
    {
        try
        {
            Fernet.StrictUtf8.GetCharCount(bytes);
            return true;
        }
        catch (System.Text.DecoderFallbackException)
        {
            return false;
        }
    }

    private static FletPassphrase Wrap(Func<FletPassphrase> make, string source, string set)
    {
        try
        {
            return make();
        }
        catch (FletTokenException e) when (e.Error == FletTokenError.InvalidText)
        {
            throw new KeySourceException("FletSecret.InvalidKeyText", ErrorCategory.InvalidData,
                source + " holds a lone UTF-16 surrogate, which has no UTF-8 form; it cannot be Flet's key.",
                "Fix the key's text (a lone surrogate is a broken character), or " + OtherWays(set));
        }
    }
}
