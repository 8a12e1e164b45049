using System;
using System.Security;
using System.Threading;

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
        int count = TextCodec.Utf8ByteCount(plainText, "plaintext");
        // UTF-8 goes straight into the token's working buffer: no separate plaintext byte array.
        return Seal(count, (buffer, offset) => TextCodec.WriteUtf8(plainText, buffer, offset),
            SecureRandom.Bytes(Fernet.IvSize), DateTimeOffset.UtcNow);
    }

    /// <summary>Encrypts the text of a SecureString without making a managed string of it.</summary>
    public string Encrypt(SecureString plainText)
    {
        if (plainText is null) throw new ArgumentNullException(nameof(plainText));
        byte[] utf8 = TextCodec.ToUtf8(plainText, "plaintext");
        try
        {
            return Encrypt(utf8);
        }
        finally
        {
            SecureMemory.Zero(utf8);
        }
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
        return Seal(plaintext.Length, (buffer, offset) => Buffer.BlockCopy(plaintext, 0, buffer, offset, plaintext.Length), iv, timestamp);
    }

    private string Seal(int count, Action<byte[], int> writePlaintext, byte[] iv, DateTimeOffset timestamp) =>
        StillUndisposed(Fernet.Encrypt(KeyBytes, _salt, count, writePlaintext, iv, timestamp.ToUnixTimeSeconds()));

    /// <summary>
    /// Passes a result on only when this key was not disposed while it was being made: Dispose on another thread
    /// zeroes the key bytes under a running call, which would then have used a half-zeroed key (a token that opens
    /// under no key, or a plaintext decrypted with the wrong key).
    /// </summary>
    private T StillUndisposed<T>(T result)
    {
        // A full fence: every read of the key bytes above happened before this look at the reference, and Dispose
        // drops the reference before it zeroes the bytes.
        if (Interlocked.CompareExchange(ref _key, null, null) is null) throw new ObjectDisposedException(nameof(FletKey));
        return result;
    }

    /// <summary>
    /// Encrypts text as Flet's <c>encrypt_aes_gcm_256</c> does, with a fresh random 32-byte nonce (also when one key
    /// makes many tokens: a nonce repeated under one key would break GCM).
    /// </summary>
    public string EncryptAesGcm256(string plainText)
    {
        if (plainText is null) throw new ArgumentNullException(nameof(plainText));
        int count = TextCodec.Utf8ByteCount(plainText, "plaintext");
        return StillUndisposed(FletAesGcm.Encrypt(KeyBytes, _salt, count, (buffer, offset) => TextCodec.WriteUtf8(plainText, buffer, offset),
            SecureRandom.Bytes(FletAesGcm.NonceSize)));
    }

    /// <summary>Encrypts the text of a SecureString as <c>encrypt_aes_gcm_256</c> does, without a managed string of it.</summary>
    public string EncryptAesGcm256(SecureString plainText)
    {
        if (plainText is null) throw new ArgumentNullException(nameof(plainText));
        byte[] utf8 = TextCodec.ToUtf8(plainText, "plaintext");
        try
        {
            return EncryptAesGcm256(utf8);
        }
        finally
        {
            SecureMemory.Zero(utf8);
        }
    }

    /// <summary>Encrypts bytes into an AES-GCM token with a fresh random nonce. Flet's decrypt expects UTF-8 text.</summary>
    public string EncryptAesGcm256(byte[] plaintext)
    {
        if (plaintext is null) throw new ArgumentNullException(nameof(plaintext));
        return EncryptAesGcm256(plaintext, SecureRandom.Bytes(FletAesGcm.NonceSize));
    }

    /// <summary>
    /// Encrypts into an AES-GCM token with a given 32-byte nonce: deterministic, for test vectors. Never reuse a nonce
    /// under one key in real use: two tokens with the same key and nonce give away both plaintexts' XOR and allow forgery.
    /// </summary>
    public string EncryptAesGcm256(byte[] plaintext, byte[] nonce)
    {
        if (plaintext is null) throw new ArgumentNullException(nameof(plaintext));
        if (nonce is null) throw new ArgumentNullException(nameof(nonce));
        if (nonce.Length != FletAesGcm.NonceSize) throw new ArgumentException("A Flet AES-GCM nonce is 32 bytes.", nameof(nonce));
        return StillUndisposed(FletAesGcm.Encrypt(KeyBytes, _salt, plaintext.Length,
            (buffer, offset) => Buffer.BlockCopy(plaintext, 0, buffer, offset, plaintext.Length), nonce));
    }

    /// <summary>Decrypts a token of Flet's <c>encrypt</c> (Fernet) made under this key's salt and iteration count.</summary>
    /// <param name="token">The Flet token.</param>
    /// <param name="maxAge">The Fernet TTL: an older token is <see cref="FletTokenError.Expired"/>. None by default, as in Flet.</param>
    /// <param name="now">The clock for the TTL check; the current time by default.</param>
    public string Decrypt(string token, TimeSpan? maxAge = null, DateTimeOffset? now = null) =>
        Open(token, maxAge, now, TextCodec.ToText);

    /// <summary>Decrypts into characters; zero the array when done.</summary>
    public char[] DecryptToChars(string token, TimeSpan? maxAge = null, DateTimeOffset? now = null) =>
        Open(token, maxAge, now, TextCodec.ToChars);

    /// <summary>Decrypts into a read-only SecureString, with no managed string on the way.</summary>
    public SecureString DecryptToSecureString(string token, TimeSpan? maxAge = null, DateTimeOffset? now = null) =>
        Open(token, maxAge, now, TextCodec.ToSecureString);

    /// <summary>Decrypts into the plaintext bytes; zero the array when done.</summary>
    public byte[] DecryptToBytes(string token, TimeSpan? maxAge = null, DateTimeOffset? now = null) =>
        Open(token, maxAge, now, CopyBytes);

    /// <summary>Decrypts a token made by <c>encrypt_aes_gcm_256</c> under this key's salt and iteration count.</summary>
    public string DecryptAesGcm256(string token) => OpenAesGcm(token, TextCodec.ToText);

    /// <summary>Decrypts an AES-GCM token into characters; zero the array when done.</summary>
    public char[] DecryptAesGcm256ToChars(string token) => OpenAesGcm(token, TextCodec.ToChars);

    /// <summary>Decrypts an AES-GCM token into a read-only SecureString, with no managed string on the way.</summary>
    public SecureString DecryptAesGcm256ToSecureString(string token) => OpenAesGcm(token, TextCodec.ToSecureString);

    /// <summary>Decrypts an AES-GCM token into the plaintext bytes; zero the array when done.</summary>
    public byte[] DecryptAesGcm256ToBytes(string token) => OpenAesGcm(token, CopyBytes);

    private static byte[] CopyBytes(byte[] buffer, int offset, int count)
    {
        var plaintext = new byte[count];
        Buffer.BlockCopy(buffer, offset, plaintext, 0, count);
        return plaintext;
    }

    private T Open<T>(string token, TimeSpan? maxAge, DateTimeOffset? now, Func<byte[], int, int, T> read)
    {
        using ParsedToken parsed = Fernet.Parse(token);
        return Open(parsed, maxAge, now ?? DateTimeOffset.UtcNow, read);
    }

    private T OpenAesGcm<T>(string token, Func<byte[], int, int, T> read)
    {
        using ParsedToken parsed = Fernet.Parse(token, FletAlgorithm.AesGcm);
        return Open(parsed, null, DateTimeOffset.UtcNow, read);
    }

    /// <summary>
    /// Authenticates and decrypts a parsed token of either pair in place, then hands the plaintext bytes to
    /// <paramref name="read"/>; they are zeroed when the token is disposed. An AES-GCM token with a maximum age is
    /// <see cref="FletTokenError.NoTimestamp"/>: it records no time to check.
    /// </summary>
    internal T Open<T>(ParsedToken token, TimeSpan? maxAge, DateTimeOffset now, Func<byte[], int, int, T> read)
    {
        if (maxAge < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(maxAge), "The maximum age cannot be negative.");
        byte[] key = KeyBytes;
        // A token under another salt was made with another key: to the caller that is a wrong key.
        if (!token.HasSalt(_salt)) throw FletTokenException.Authentication();
        int count;
        try
        {
            count = token.Algorithm == FletAlgorithm.AesGcm
                ? FletAesGcm.Decrypt(key, token, maxAge)
                : Fernet.Decrypt(key, token, maxAge, now);
        }
        catch (FletTokenException) when (Interlocked.CompareExchange(ref _key, null, null) is null)
        {
            // A key zeroed under the call fails the token: the caller's error is the disposed key, not the token.
            throw new ObjectDisposedException(nameof(FletKey));
        }
        // Fernet reads the key twice (HMAC, then AES): disposed in between, the plaintext came from a zeroed AES key.
        return read(token.Buffer, token.PlaintextOffset, StillUndisposed(count));
    }

    /// <summary>
    /// Re-encrypts a token that this key opens under <paramref name="newKey"/>, as Python's <c>MultiFernet.rotate</c>
    /// does: the same plaintext under the new key's salt with a fresh IV or nonce. The token keeps its pair unless
    /// <paramref name="algorithm"/> names the other; a Fernet token that stays Fernet keeps its timestamp (so a TTL
    /// means the same afterwards), an AES-GCM token made Fernet gets the current time. The plaintext is never a
    /// string: it exists only in the token's working buffers, which are zeroed before this returns.
    /// </summary>
    public string Rotate(string token, FletKey newKey, FletAlgorithm? algorithm = null)
    {
        using ParsedToken parsed = Fernet.Parse(token, algorithm: null);
        try
        {
            return Rotate(parsed, newKey, algorithm ?? parsed.Algorithm, DateTimeOffset.UtcNow);
        }
        catch (FletTokenException e) when (e.Error == FletTokenError.AuthenticationFailed)
        {
            // Told AES-GCM by its shape, yet perhaps a Fernet token whose text holds bytes Flet's base64 reader skips
            // (Decrypt opens it): read as Fernet, it is the HMAC that decides; no such reading, and the error stands.
            using ParsedToken? asFernet = Fernet.AlsoAsFernet(parsed, pair => Fernet.Parse(token, pair));
            if (asFernet is null) throw;
            return Rotate(asFernet, newKey, algorithm ?? FletAlgorithm.Fernet, DateTimeOffset.UtcNow);
        }
    }

    /// <summary>
    /// <see cref="Rotate(string, FletKey, FletAlgorithm?)"/> of a parsed token: authenticates and decrypts it in place
    /// (an <see cref="FletTokenError.AuthenticationFailed"/> leaves it as it was, so another key may try it), then
    /// seals the plaintext bytes straight from the token's buffer; disposing the token zeroes them.
    /// </summary>
    internal string Rotate(ParsedToken token, FletKey newKey, FletAlgorithm pair, DateTimeOffset now)
    {
        if (newKey is null) throw new ArgumentNullException(nameof(newKey));
        ulong seconds = token.Algorithm == FletAlgorithm.Fernet ? token.UnixSeconds : (ulong)now.ToUnixTimeSeconds();
        return Open(token, null, now, (buffer, offset, count) => newKey.Reseal(buffer, offset, count, pair, seconds));
    }

    /// <summary>Seals source[offset..offset+count) into a token of <paramref name="pair"/> under this key.</summary>
    private string Reseal(byte[] source, int offset, int count, FletAlgorithm pair, ulong unixSeconds)
    {
        void WritePlaintext(byte[] buffer, int at) => Buffer.BlockCopy(source, offset, buffer, at, count);
        return StillUndisposed(pair == FletAlgorithm.AesGcm
            ? FletAesGcm.Encrypt(KeyBytes, _salt, count, WritePlaintext, SecureRandom.Bytes(FletAesGcm.NonceSize))
            // The eight bytes as read: a timestamp beyond long's range is written back bit for bit, as Python keeps it.
            : Fernet.Encrypt(KeyBytes, _salt, count, WritePlaintext, SecureRandom.Bytes(Fernet.IvSize), unchecked((long)unixSeconds)));
    }

    /// <summary>Zeroes the key bytes; the key cannot be used afterwards.</summary>
    public void Dispose()
    {
        // The reference first, then the bytes: a call that still sees the reference afterwards finished with them.
        SecureMemory.Zero(Interlocked.Exchange(ref _key, null));
    }
}
