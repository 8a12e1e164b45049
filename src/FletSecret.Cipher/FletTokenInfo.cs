using System;

namespace FletSecret.Cipher;

/// <summary>What a token shows without its key: which pair made it, salt, timestamp (Fernet), nonce (AES-GCM) and sizes.</summary>
public sealed class FletTokenInfo
{
    private FletTokenInfo(FletAlgorithm algorithm, byte[] salt, ulong unixSeconds, byte[]? nonce, int ciphertextLength)
    {
        Algorithm = algorithm;
        Salt = salt;
        UnixTimeSeconds = unixSeconds;
        Nonce = nonce;
        CiphertextLength = ciphertextLength;
    }

    /// <summary>
    /// Reads a token's structure; throws <see cref="FletTokenException"/> when it is not a Flet token of either pair.
    /// The pair is told by the token's shape: after the salt, a Fernet-pair token holds base64 text ("gAAAAA..."),
    /// an AES-GCM token random bytes.
    /// </summary>
    public static FletTokenInfo Parse(string token)
    {
        using ParsedToken parsed = Fernet.Parse(token, algorithm: null);
        return new FletTokenInfo(parsed.Algorithm, parsed.CopySalt(), parsed.UnixSeconds, parsed.CopyNonce(), parsed.CiphertextLength);
    }

    /// <summary>Reads the structure of a token held in characters (as from a SecureString); no string is made of it.</summary>
    public static FletTokenInfo Parse(char[] token)
    {
        using ParsedToken parsed = Fernet.Parse(token, algorithm: null);
        return new FletTokenInfo(parsed.Algorithm, parsed.CopySalt(), parsed.UnixSeconds, parsed.CopyNonce(), parsed.CiphertextLength);
    }

    /// <summary>Which of flet.security's pairs made the token.</summary>
    public FletAlgorithm Algorithm { get; }

    /// <summary>The 16-byte PBKDF2 salt.</summary>
    public byte[] Salt { get; }

    /// <summary>The salt as lowercase hex.</summary>
    public string SaltHex => Hex(Salt);

    /// <summary>The 32-byte AES-GCM nonce; null for a Fernet token.</summary>
    public byte[]? Nonce { get; }

    /// <summary>The AES-GCM nonce as lowercase hex; null for a Fernet token.</summary>
    public string? NonceHex => Nonce is null ? null : Hex(Nonce);

    /// <summary>
    /// The Fernet timestamp as written: Unix seconds (unauthenticated until the token is decrypted). 0 for an
    /// AES-GCM token, which records no time.
    /// </summary>
    public ulong UnixTimeSeconds { get; }

    /// <summary>The Fernet timestamp as a time; null when it is beyond the year 9999, and for an AES-GCM token.</summary>
    public DateTimeOffset? Timestamp =>
        Algorithm == FletAlgorithm.Fernet && UnixTimeSeconds <= (ulong)DateTimeOffset.MaxValue.ToUnixTimeSeconds()
            ? DateTimeOffset.FromUnixTimeSeconds((long)UnixTimeSeconds)
            : null;

    /// <summary>The ciphertext length in bytes: AES-CBC (a multiple of 16) or AES-GCM (the plaintext's length).</summary>
    public int CiphertextLength { get; }

    /// <summary>The fewest UTF-8 bytes the plaintext can have (PKCS7 adds 1 to 16 bytes; GCM adds none).</summary>
    public int MinPlaintextBytes => Algorithm == FletAlgorithm.AesGcm ? CiphertextLength : CiphertextLength - 16;

    /// <summary>The most UTF-8 bytes the plaintext can have.</summary>
    public int MaxPlaintextBytes => Algorithm == FletAlgorithm.AesGcm ? CiphertextLength : CiphertextLength - 1;

    private static string Hex(byte[] bytes) => BitConverter.ToString(bytes).Replace("-", string.Empty).ToLowerInvariant();
}
