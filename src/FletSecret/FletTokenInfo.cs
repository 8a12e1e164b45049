using System;
using FletSecret.Cipher;

namespace FletSecret;

/// <summary>A token's structure, as Get-FletTokenInfo shows it.</summary>
public sealed class FletTokenInfo
{
    private FletTokenInfo(string? token) => Token = token;

    internal static FletTokenInfo Inspect(string? token, DateTimeOffset now) =>
        Inspect(new FletTokenInfo(token), () => Cipher.FletTokenInfo.Parse(token!), now);

    /// <summary>A token read from a SecureString, as characters: Token stays null, so that no string is made of it.</summary>
    internal static FletTokenInfo Inspect(char[] token, DateTimeOffset now) =>
        Inspect(new FletTokenInfo(null), () => Cipher.FletTokenInfo.Parse(token), now);

    /// <summary>An item that could not be read at all, with the reason in Problem.</summary>
    internal static FletTokenInfo Unreadable(string problem) => new(null) { Problem = problem };

    private static FletTokenInfo Inspect(FletTokenInfo info, Func<Cipher.FletTokenInfo> parse, DateTimeOffset now)
    {
        try
        {
            Cipher.FletTokenInfo parsed = parse();
            info.IsValid = true;
            info.Algorithm = FletAlgorithmMapping.FromCipher(parsed.Algorithm);
            info.Salt = parsed.SaltHex;
            info.Nonce = parsed.NonceHex;
            info.Timestamp = parsed.Timestamp;
            info.Age = parsed.Timestamp is DateTimeOffset time ? now - time : null;
            info.CiphertextLength = parsed.CiphertextLength;
            info.MinPlaintextLength = parsed.MinPlaintextBytes;
            info.MaxPlaintextLength = parsed.MaxPlaintextBytes;
        }
        catch (FletTokenException e)
        {
            info.Problem = e.Message;
        }
        return info;
    }

    /// <summary>The token as given; null for a token given as a SecureString (it is not copied into a string).</summary>
    public string? Token { get; }

    /// <summary>Whether the token has a Flet token's structure (its key is not checked).</summary>
    public bool IsValid { get; private set; }

    /// <summary>Why the token is not valid, or null.</summary>
    public string? Problem { get; private set; }

    /// <summary>Which of flet.security's pairs made the token: Fernet (encrypt) or AesGcm (encrypt_aes_gcm_256).</summary>
    public FletAlgorithm? Algorithm { get; private set; }

    /// <summary>The 16-byte PBKDF2 salt, as hex.</summary>
    public string? Salt { get; private set; }

    /// <summary>The 32-byte AES-GCM nonce, as hex; empty for a Fernet token.</summary>
    public string? Nonce { get; private set; }

    /// <summary>When the token says it was made (UTC). Not authenticated until the token is decrypted. Empty for AES-GCM, which records no time.</summary>
    public DateTimeOffset? Timestamp { get; private set; }

    /// <summary>How long ago the token says it was made.</summary>
    public TimeSpan? Age { get; private set; }

    /// <summary>The AES ciphertext length in bytes (for AES-GCM, the plaintext's length in UTF-8 bytes).</summary>
    public int? CiphertextLength { get; private set; }

    /// <summary>The fewest UTF-8 bytes the plaintext can have.</summary>
    public int? MinPlaintextLength { get; private set; }

    /// <summary>The most UTF-8 bytes the plaintext can have.</summary>
    public int? MaxPlaintextLength { get; private set; }
}
