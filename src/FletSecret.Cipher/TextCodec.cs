using System;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;

namespace FletSecret.Cipher;

/// <summary>
/// Strict UTF-8 in and out, as Python's str.encode() and bytes.decode() are. SecureString content goes through
/// unmanaged memory that is freed with the matching ZeroFree call; no managed string of it is made.
/// </summary>
internal static class TextCodec
{
    public static byte[] ToUtf8(string text, string what)
    {
        try
        {
            return Fernet.StrictUtf8.GetBytes(text);
        }
        catch (EncoderFallbackException)
        {
            throw LoneSurrogate(what);
        }
    }

    public static byte[] ToUtf8(char[] chars, string what)
    {
        try
        {
            return Fernet.StrictUtf8.GetBytes(chars);
        }
        catch (EncoderFallbackException)
        {
            throw LoneSurrogate(what);
        }
    }

    /// <summary>
    /// The UTF-8 of a SecureString, from one copy of it: the length is the copy's own, so a SecureString that another
    /// thread changes meanwhile gives its old or its new text, never a mix or a read past the copy.
    /// </summary>
    public static unsafe byte[] ToUtf8(SecureString secure, string what)
    {
        IntPtr copy = Marshal.SecureStringToBSTR(secure);
        try
        {
            char* chars = (char*)copy;
            int length = BstrLength(copy);
            int count = Fernet.StrictUtf8.GetByteCount(chars, length);
            var bytes = new byte[count];
            if (count > 0)
            {
                fixed (byte* destination = bytes) Fernet.StrictUtf8.GetBytes(chars, length, destination, count);
            }
            return bytes;
        }
        catch (EncoderFallbackException)
        {
            throw LoneSurrogate(what);
        }
        finally
        {
            Marshal.ZeroFreeBSTR(copy);
        }
    }

    /// <summary>The characters of a SecureString, from one copy of it (see <see cref="ToUtf8(SecureString, string)"/>); zero the array when done.</summary>
    public static unsafe char[] ToChars(SecureString secure)
    {
        IntPtr copy = Marshal.SecureStringToBSTR(secure);
        try
        {
            var chars = new char[BstrLength(copy)];
            Marshal.Copy(copy, chars, 0, chars.Length);
            return chars;
        }
        finally
        {
            Marshal.ZeroFreeBSTR(copy);
        }
    }

    // A BSTR carries its byte length in the four bytes before its first character (on every platform .NET runs on):
    // the length of this very copy, which embedded NUL characters do not cut short.
    private static int BstrLength(IntPtr bstr) => Marshal.ReadInt32(bstr, -4) / sizeof(char);

    /// <summary>
    /// The UTF-8 length of a plaintext, refused as too large before counting when it has more characters than a token
    /// holds bytes (every character is at least one byte): counting past 2 GiB would overflow.
    /// </summary>
    public static int Utf8ByteCount(string text, string what)
    {
        if (text.Length > FletTokenLimits.MaxPlaintextBytes)
            throw new FletTokenException(FletTokenError.TooLarge,
                $"The {what} has {text.Length} characters, so more than {FletTokenLimits.MaxPlaintextBytes} bytes of UTF-8; a token holds at most {FletTokenLimits.MaxPlaintextBytes} bytes.");
        try
        {
            return Fernet.StrictUtf8.GetByteCount(text);
        }
        catch (EncoderFallbackException)
        {
            throw LoneSurrogate(what);
        }
    }

    /// <summary>Writes text that <see cref="Utf8ByteCount"/> has checked as UTF-8 into buffer[offset..).</summary>
    public static void WriteUtf8(string text, byte[] buffer, int offset) =>
        Fernet.StrictUtf8.GetBytes(text, 0, text.Length, buffer, offset);

    public static string ToText(byte[] utf8, int offset, int count)
    {
        try
        {
            return Fernet.StrictUtf8.GetString(utf8, offset, count);
        }
        catch (DecoderFallbackException)
        {
            throw NotText();
        }
    }

    public static char[] ToChars(byte[] utf8, int offset, int count)
    {
        try
        {
            return Fernet.StrictUtf8.GetChars(utf8, offset, count);
        }
        catch (DecoderFallbackException)
        {
            throw NotText();
        }
    }

    /// <summary>Exception.Data key naming which limit a TooLarge error hit, so that callers can advise on the right one.</summary>
    internal const string LimitKey = "FletSecret.Limit";

    /// <summary>The <see cref="LimitKey"/> value of the SecureString length limit.</summary>
    internal const string SecureStringLimit = "SecureStringLength";

    /// <summary>SecureString holds at most 65536 characters (a .NET limit).</summary>
    public const int MaxSecureStringLength = 65536;

    public static unsafe SecureString ToSecureString(byte[] utf8, int offset, int count)
    {
        char[] chars = ToChars(utf8, offset, count);
        try
        {
            if (chars.Length > MaxSecureStringLength)
            {
                var tooLong = new FletTokenException(FletTokenError.TooLarge,
                    $"The plaintext has {chars.Length} characters; a SecureString holds at most {MaxSecureStringLength}. Read it as a string instead.");
                tooLong.Data[LimitKey] = SecureStringLimit;
                throw tooLong;
            }
            SecureString secure;
            if (chars.Length == 0) secure = new SecureString(); // fixed gives a null pointer for an empty array, which SecureString refuses
            else fixed (char* pointer = chars) secure = new SecureString(pointer, chars.Length);
            secure.MakeReadOnly();
            return secure;
        }
        finally
        {
            SecureMemory.Zero(chars);
        }
    }

    // The fallback exceptions quote the offending characters or bytes, so they are never kept as inner exceptions.
    private static FletTokenException LoneSurrogate(string what) =>
        new(FletTokenError.InvalidText,
            $"The {what} holds a lone UTF-16 surrogate, which has no UTF-8 form; Flet could not use it either. Fix the text's encoding.");

    private static FletTokenException NotText() =>
        new(FletTokenError.NotUtf8Text,
            "The token is authentic but its plaintext is not UTF-8 text; it was not made by Flet's encrypt. Read it as bytes.");
}
