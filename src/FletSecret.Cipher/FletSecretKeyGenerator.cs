using System;
using System.Security;

namespace FletSecret.Cipher;

/// <summary>
/// A new secret key for a Flet app (the passphrase its docs keep in an environment variable): random bytes from the
/// system's CSPRNG written as unpadded base64url, which a shell, a .env file and a URL take without quoting (and never
/// with a leading '-', which a command line would take for an option).
/// </summary>
public static class FletSecretKeyGenerator
{
    /// <summary>32 bytes: 256 bits, a full SHA-256 block of entropy for PBKDF2-HMAC-SHA256.</summary>
    public const int DefaultByteCount = 32;

    /// <summary>Fewer than 16 bytes (128 bits) would be a weak key.</summary>
    public const int MinimumByteCount = 16;

    /// <summary>More is no stronger (HMAC hashes a key longer than 64 bytes to 32) and only makes the key unwieldy.</summary>
    public const int MaximumByteCount = 1024;

    /// <summary>The key's length in characters for <paramref name="byteCount"/> random bytes (43 for 32).</summary>
    public static int KeyLength(int byteCount) => checked((byteCount * 4 + 2) / 3);

    /// <summary>A new key as characters; zero them when done (<see cref="SecureMemory"/> does).</summary>
    public static char[] NewKeyChars(int byteCount = DefaultByteCount)
    {
        if (byteCount < MinimumByteCount || byteCount > MaximumByteCount)
            throw new ArgumentOutOfRangeException(nameof(byteCount), $"A secret key has {MinimumByteCount} to {MaximumByteCount} random bytes.");
        byte[] random = SecureRandom.Bytes(byteCount);
        byte[] ascii = new byte[Base64Url.EncodedLength(byteCount)];
        try
        {
            // A key that starts with '-' reads as an option on a command line: drawn again (1 in 64; it costs 0.02 bits).
            while (true)
            {
                Base64Url.Encode(random, 0, byteCount, ascii, 0);
                if (ascii[0] != (byte)'-') break;
                SecureMemory.Zero(random);
                random = SecureRandom.Bytes(byteCount);
            }
            var chars = new char[KeyLength(byteCount)];
            for (int i = 0; i < chars.Length; i++) chars[i] = (char)ascii[i]; // the padding, past the key's length, is left out
            return chars;
        }
        finally
        {
            SecureMemory.Zero(random);
            SecureMemory.Zero(ascii);
        }
    }

    /// <summary>A new key as a read-only SecureString, with no managed string made of it.</summary>
    public static unsafe SecureString NewKeySecureString(int byteCount = DefaultByteCount)
    {
        char[] chars = NewKeyChars(byteCount);
        try
        {
            SecureString secure;
            fixed (char* pointer = chars) secure = new SecureString(pointer, chars.Length);
            secure.MakeReadOnly();
            return secure;
        }
        finally
        {
            SecureMemory.Zero(chars);
        }
    }

    /// <summary>A new key as a string (for `export MY_APP_SECRET_KEY=...`).</summary>
    public static string NewKey(int byteCount = DefaultByteCount)
    {
        char[] chars = NewKeyChars(byteCount);
        try
        {
            return new string(chars);
        }
        finally
        {
            SecureMemory.Zero(chars);
        }
    }
}
