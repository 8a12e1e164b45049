using System;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security;
using FletSecret.Cipher;

namespace FletSecret;

/// <summary>A key could not be had: becomes a terminating error with a stable id.</summary>
internal sealed class KeySourceException : Exception
{
    public KeySourceException(string errorId, ErrorCategory category, string message, object? target = null)
        : base(message)
    {
        ErrorId = errorId;
        Category = category;
        Target = target;
    }

    public string ErrorId { get; }
    public ErrorCategory Category { get; }
    public object? Target { get; }
}

/// <summary>Where the passphrase comes from. Messages name the source, never a value.</summary>
internal static class KeySource
{
    public const string DefaultVariable = "FLET_SECRET_KEY";

    /// <summary>A key file larger than this is a mistake (a wrong path, a certificate bundle), not a passphrase.</summary>
    public const int MaxKeyFileBytes = 64 * 1024;

    private const string HowToGiveAKey =
        "Give a key with -Key (a SecureString, for example from Get-Secret or Read-Host -AsSecureString), " +
        "-KeyEnvironmentVariable <name>, -KeyFile <path>, or set the environment variable " + DefaultVariable + ".";

    public static FletPassphrase FromSecureString(SecureString key)
    {
        if (key.Length == 0)
            throw new KeySourceException("FletSecret.KeyEmpty", ErrorCategory.InvalidArgument,
                "The -Key SecureString is empty. An empty passphrase protects nothing; give the app's secret key.");
        return Wrap(() => new FletPassphrase(key), "The -Key SecureString");
    }

    public static FletPassphrase FromEnvironment(string name, bool named)
    {
        string? value = Environment.GetEnvironmentVariable(name);
        if (value is null)
        {
            if (!named)
                throw new KeySourceException("FletSecret.KeyNotFound", ErrorCategory.ObjectNotFound,
                    "No key was given and the environment variable " + DefaultVariable + " is not set. " + HowToGiveAKey);
            throw new KeySourceException("FletSecret.KeyEnvironmentVariableNotFound", ErrorCategory.ObjectNotFound,
                $"The environment variable '{name}' is not set. Set it (in CI, map the secret to it), or " +
                "give the key another way: " + HowToGiveAKey, name);
        }
        if (value.Length == 0)
            throw new KeySourceException("FletSecret.KeyEnvironmentVariableEmpty", ErrorCategory.InvalidData,
                $"The environment variable '{name}' is empty. In CI this usually means the secret is not available to " +
                "this job (for example in a pull request from a fork); set it to the app's secret key.", name);
        return Wrap(() => new FletPassphrase(value), $"The environment variable '{name}'");
    }

    /// <summary>
    /// Reads a key file's bytes straight into the passphrase: a UTF-8 BOM is skipped and one trailing "\n" or
    /// "\r\n" removed, since `echo "$KEY" > file` and most secret tools write one.
    /// </summary>
    public static FletPassphrase FromFile(string path)
    {
        if (Directory.Exists(path) || !File.Exists(path))
            throw new KeySourceException("FletSecret.KeyFileNotFound", ErrorCategory.ObjectNotFound,
                $"The key file '{path}' does not exist or is not a file. Check the path (for a Docker secret: /run/secrets/<name>).", path);

        byte[] content;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (stream.Length > MaxKeyFileBytes)
                throw new KeySourceException("FletSecret.KeyFileTooLarge", ErrorCategory.LimitsExceeded,
                    $"The key file '{path}' is {stream.Length} bytes; a key file holds at most {MaxKeyFileBytes} bytes. Check that the path names the key, not another file.", path);
            content = new byte[stream.Length];
            int read = 0;
            while (read < content.Length)
            {
                int n = stream.Read(content, read, content.Length - read);
                if (n == 0) break;
                read += n;
            }
            if (read != content.Length) Array.Resize(ref content, read);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException or SecurityException)
        {
            throw new KeySourceException("FletSecret.KeyFileUnreadable", ErrorCategory.PermissionDenied,
                $"The key file '{path}' cannot be read: {e.GetType().Name}. Check its permissions and that this user may read it.", path);
        }

        try
        {
            int start = content.Length >= 3 && content[0] == 0xEF && content[1] == 0xBB && content[2] == 0xBF ? 3 : 0;
            int end = content.Length;
            if (end > start && content[end - 1] == (byte)'\n')
            {
                end--;
                if (end > start && content[end - 1] == (byte)'\r') end--;
            }
            if (end == start)
                throw new KeySourceException("FletSecret.KeyFileEmpty", ErrorCategory.InvalidData,
                    $"The key file '{path}' is empty (after its line ending). Write the app's secret key into it.", path);

            var passphrase = new byte[end - start];
            Buffer.BlockCopy(content, start, passphrase, 0, passphrase.Length);
            if (!IsUtf8(passphrase))
            {
                Array.Clear(passphrase, 0, passphrase.Length);
                throw new KeySourceException("FletSecret.InvalidKeyText", ErrorCategory.InvalidData,
                    $"The key file '{path}' is not UTF-8 text. Flet keys are text; save the file as UTF-8.", path);
            }
            return FletPassphrase.Own(passphrase);
        }
        finally
        {
            Array.Clear(content, 0, content.Length);
        }
    }

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

    private static FletPassphrase Wrap(Func<FletPassphrase> make, string source)
    {
        try
        {
            return make();
        }
        catch (FletTokenException e) when (e.Error == FletTokenError.InvalidText)
        {
            throw new KeySourceException("FletSecret.InvalidKeyText", ErrorCategory.InvalidData,
                source + " holds a lone UTF-16 surrogate, which has no UTF-8 form; it cannot be Flet's key.");
        }
    }
}
