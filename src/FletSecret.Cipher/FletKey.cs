using System;
using System.Security;

namespace FletSecret.Cipher;

/// <summary>
/// A derived Flet key: the salt, the iteration count and the 32 bytes PBKDF2 gave for them. Deriving is the
/// expensive part (600000 HMAC-SHA256 steps), so one key can encrypt many strings, and decrypt every token that
/// carries its salt. The key bytes are zeroed on <see cref="Dispose"/>.
/// </summary>
public sealed class FletKey : IDisposable
{
    private byte[]? _key;
    private readonly byte[] _salt;

    internal FletKey(byte[] key, byte[] salt, int iterations)
    {
        _key = key;
        _salt = salt;
        Iterations = iterations;
    }

    /// <summary>The PBKDF2 iteration count this key was derived with.</summary>
    public int Iterations { get; }

    /// <summary>A copy of the 16-byte salt; every token this key makes starts with it.</summary>
    public byte[] GetSalt() => (byte[])_salt.Clone();

    internal byte[] KeyBytes => _key ?? throw new ObjectDisposedException(nameof(FletKey));

    internal bool IsDisposed => _key is null;

    /// <summary>Encrypts text with a fresh IV and the current time.</summary>
    public string Encrypt(string plainText)
    {
        if (plainText is null) throw new ArgumentNullException(nameof(plainText));
        return EncryptAndZero(TextCodec.ToUtf8(plainText, "plaintext"));
    }

    /// <summary>Encrypts the text of a SecureString without making a managed string of it.</summary>
    public string Encrypt(SecureString plainText)
    {
        if (plainText is null) throw new ArgumentNullException(nameof(plainText));
        return EncryptAndZero(TextCodec.ToUtf8(plainText, "plaintext"));
    }

    /// <summary>Encrypts bytes with a fresh IV and the current time. Flet's decrypt expects UTF-8 text.</summary>
    public string Encrypt(byte[] plaintext)
    {
        if (plaintext is null) throw new ArgumentNullException(nameof(plaintext));
        return Encrypt(plaintext, SecureRandom.Bytes(Fernet.IvSize), DateTimeOffset.UtcNow);
    }

    /// <summary>
    /// Encrypts with a given IV and timestamp: deterministic, for test vectors. Never reuse an IV in real use.
    /// </summary>
    public string Encrypt(byte[] plaintext, byte[] iv, DateTimeOffset timestamp)
    {
        if (plaintext is null) throw new ArgumentNullException(nameof(plaintext));
        if (iv is null) throw new ArgumentNullException(nameof(iv));
        if (iv.Length != Fernet.IvSize) throw new ArgumentException("A Fernet IV is 16 bytes.", nameof(iv));
        return Fernet.Encrypt(KeyBytes, _salt, plaintext, 0, plaintext.Length, iv, timestamp.ToUnixTimeSeconds());
    }

    private string EncryptAndZero(byte[] utf8)
    {
        try
        {
            return Encrypt(utf8);
        }
        finally
        {
            SecureMemory.Zero(utf8);
        }
    }

    /// <summary>Decrypts a token made under this key's salt and iteration count.</summary>
    /// <param name="token">The Flet token.</param>
    /// <param name="maxAge">The Fernet TTL: an older token is <see cref="FletTokenError.Expired"/>. None by default, as in Flet.</param>
    /// <param name="now">The clock for the TTL check; the current time by default.</param>
    public string Decrypt(string token, TimeSpan? maxAge = null, DateTimeOffset? now = null)
    {
        byte[] plaintext = DecryptToBytes(token, maxAge, now);
        try
        {
            return TextCodec.ToText(plaintext);
        }
        finally
        {
            SecureMemory.Zero(plaintext);
        }
    }

    /// <summary>Decrypts into characters; zero the array when done.</summary>
    public char[] DecryptToChars(string token, TimeSpan? maxAge = null, DateTimeOffset? now = null)
    {
        byte[] plaintext = DecryptToBytes(token, maxAge, now);
        try
        {
            return TextCodec.ToChars(plaintext);
        }
        finally
        {
            SecureMemory.Zero(plaintext);
        }
    }

    /// <summary>Decrypts into a read-only SecureString, with no managed string on the way.</summary>
    public SecureString DecryptToSecureString(string token, TimeSpan? maxAge = null, DateTimeOffset? now = null)
    {
        byte[] plaintext = DecryptToBytes(token, maxAge, now);
        try
        {
            return TextCodec.ToSecureString(plaintext);
        }
        finally
        {
            SecureMemory.Zero(plaintext);
        }
    }

    /// <summary>Decrypts into the plaintext bytes; zero the array when done.</summary>
    public byte[] DecryptToBytes(string token, TimeSpan? maxAge = null, DateTimeOffset? now = null) =>
        Open(Fernet.Parse(token), maxAge, now ?? DateTimeOffset.UtcNow);

    internal byte[] Open(ParsedToken token, TimeSpan? maxAge, DateTimeOffset now)
    {
        if (maxAge < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(maxAge), "The maximum age cannot be negative.");
        byte[] key = KeyBytes;
        // A token under another salt was made with another key: to the caller that is a wrong key.
        if (!token.HasSalt(_salt)) throw FletTokenException.Authentication();
        return Fernet.Decrypt(key, token, maxAge, now);
    }

    /// <summary>Zeroes the key bytes; the key cannot be used afterwards.</summary>
    public void Dispose()
    {
        SecureMemory.Zero(_key);
        _key = null;
    }
}
