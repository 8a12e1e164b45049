using System;

namespace FletSecret.Cipher;

/// <summary>What a token shows without its key: salt, timestamp and sizes.</summary>
public sealed class FletTokenInfo
{
    private FletTokenInfo(byte[] salt, ulong unixSeconds, int ciphertextLength)
    {
        Salt = salt;
        UnixTimeSeconds = unixSeconds;
        CiphertextLength = ciphertextLength;
    }

    /// <summary>Reads a token's structure; throws <see cref="FletTokenException"/> when it is not a Flet token.</summary>
    public static FletTokenInfo Parse(string token)
    {
        using ParsedToken parsed = Fernet.Parse(token);
        return new FletTokenInfo(parsed.CopySalt(), parsed.UnixSeconds, parsed.CiphertextLength);
    }

    /// <summary>Reads the structure of a token held in characters (as from a SecureString); no string is made of it.</summary>
    public static FletTokenInfo Parse(char[] token)
    {
        using ParsedToken parsed = Fernet.Parse(token);
        return new FletTokenInfo(parsed.CopySalt(), parsed.UnixSeconds, parsed.CiphertextLength);
    }

    /// <summary>The 16-byte PBKDF2 salt.</summary>
    public byte[] Salt { get; }

    /// <summary>The salt as lowercase hex.</summary>
    public string SaltHex => BitConverter.ToString(Salt).Replace("-", string.Empty).ToLowerInvariant();

    /// <summary>The Fernet timestamp as written: Unix seconds (unauthenticated until the token is decrypted).</summary>
    public ulong UnixTimeSeconds { get; }

    /// <summary>The Fernet timestamp as a time, or null when it is beyond the year 9999.</summary>
    public DateTimeOffset? Timestamp =>
        UnixTimeSeconds <= (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds()
            ? DateTimeOffset.FromUnixTimeSeconds((long)UnixTimeSeconds)
            : null;

    /// <summary>The length of the AES-CBC ciphertext, in bytes (a multiple of 16).</summary>
    public int CiphertextLength { get; }

    /// <summary>The fewest UTF-8 bytes the plaintext can have (PKCS7 adds 1 to 16 bytes).</summary>
    public int MinPlaintextBytes => CiphertextLength - 16;

    /// <summary>The most UTF-8 bytes the plaintext can have.</summary>
    public int MaxPlaintextBytes => CiphertextLength - 1;
}
