using System;
using System.Security;
using System.Threading;

namespace FletSecret.Cipher;

/// <summary>
/// A Flet secret key (the passphrase given to <c>flet.security.encrypt</c>), held as UTF-8 bytes that are
/// zeroed on <see cref="Dispose"/>. Encrypts and decrypts by deriving a key per token's salt.
/// </summary>
public sealed class FletPassphrase : IDisposable
{
    private byte[]? _utf8;

    /// <summary>Takes a copy of the passphrase's UTF-8 bytes.</summary>
    public FletPassphrase(string passphrase)
        : this(TextCodec.ToUtf8(passphrase ?? throw new ArgumentNullException(nameof(passphrase)), "passphrase"), owned: true)
    {
    }

    /// <summary>Takes the passphrase from characters; zero the array yourself when done with it.</summary>
    public FletPassphrase(char[] passphrase)
        : this(TextCodec.ToUtf8(passphrase ?? throw new ArgumentNullException(nameof(passphrase)), "passphrase"), owned: true)
    {
    }

    /// <summary>Takes the passphrase from a SecureString without making a managed string of it.</summary>
    public FletPassphrase(SecureString passphrase)
        : this(TextCodec.ToUtf8(passphrase ?? throw new ArgumentNullException(nameof(passphrase)), "passphrase"), owned: true)
    {
    }

    private FletPassphrase(byte[] utf8, bool owned) => _utf8 = owned ? utf8 : (byte[])utf8.Clone();

    /// <summary>Takes a copy of the passphrase given as UTF-8 bytes.</summary>
    public static FletPassphrase FromUtf8(byte[] utf8) =>
        new(utf8 ?? throw new ArgumentNullException(nameof(utf8)), owned: false);

    /// <summary>Takes ownership of <paramref name="utf8"/>: it is zeroed on Dispose.</summary>
    internal static FletPassphrase Own(byte[] utf8) => new(utf8, owned: true);

    /// <summary>The passphrase's length in UTF-8 bytes.</summary>
    public int Utf8Length => Bytes.Length;

    internal byte[] Bytes => _utf8 ?? throw new ObjectDisposedException(nameof(FletPassphrase));

    /// <summary>
    /// The bytes, or none once disposed: for a derivation among others (a batch) that must not fail them all; the
    /// caller drops its key when <see cref="DisposedSinceRead"/> says so.
    /// </summary>
    internal byte[] BytesOrEmpty => Volatile.Read(ref _utf8) ?? Array.Empty<byte>();

    /// <summary>Whether both hold the same passphrase (compared in time that does not depend on where they differ).</summary>
    internal bool HasSameBytes(FletPassphrase other)
    {
        byte[] mine = Bytes, theirs = other.Bytes;
        return mine.Length == theirs.Length && SecureMemory.FixedTimeEquals(mine, 0, theirs, 0, mine.Length);
    }

    /// <summary>Derives the key for a given 16-byte salt (for example a token's, or a fixed one for test vectors).</summary>
    public FletKey DeriveKey(byte[] salt, int iterations = FletSecurity.DefaultIterations)
    {
        if (salt is null) throw new ArgumentNullException(nameof(salt));
        if (salt.Length != Fernet.SaltSize) throw new ArgumentException("A Flet salt is 16 bytes.", nameof(salt));
        FletSecurity.CheckIterations(iterations);
        var key = new byte[Pbkdf2.KeySize];
        Pbkdf2.DeriveKey(Bytes, salt, iterations, key);
        if (DisposedSinceRead())
        {
            SecureMemory.Zero(key);
            throw new ObjectDisposedException(nameof(FletPassphrase));
        }
        return new FletKey(key, (byte[])salt.Clone(), iterations);
    }

    /// <summary>Derives a key under a fresh random salt, to encrypt one or more tokens with.</summary>
    public FletKey CreateKey(int iterations = FletSecurity.DefaultIterations) =>
        DeriveKey(SecureRandom.Bytes(Fernet.SaltSize), iterations);

    /// <summary>Encrypts as <c>flet.security.encrypt</c> does: a fresh salt and IV, the current time.</summary>
    public string Encrypt(string plainText, int iterations = FletSecurity.DefaultIterations)
    {
        using FletKey key = CreateKey(iterations);
        return key.Encrypt(plainText);
    }

    /// <summary>Decrypts as <c>flet.security.decrypt</c> does, with an optional Fernet TTL.</summary>
    public string Decrypt(string token, int iterations = FletSecurity.DefaultIterations, TimeSpan? maxAge = null)
    {
        using ParsedToken parsed = Fernet.Parse(token);
        using FletKey key = DeriveKey(parsed.CopySalt(), iterations);
        return key.Open(parsed, maxAge, DateTimeOffset.UtcNow, TextCodec.ToText);
    }

    /// <summary>Encrypts as <c>flet.security.encrypt_aes_gcm_256</c> does: a fresh salt and 32-byte nonce.</summary>
    public string EncryptAesGcm256(string plainText, int iterations = FletSecurity.DefaultIterations)
    {
        if (plainText is null) throw new ArgumentNullException(nameof(plainText));
        using FletKey key = CreateKey(iterations);
        return key.EncryptAesGcm256(plainText);
    }

    /// <summary>Decrypts as <c>flet.security.decrypt_aes_gcm_256</c> does.</summary>
    public string DecryptAesGcm256(string token, int iterations = FletSecurity.DefaultIterations)
    {
        using ParsedToken parsed = Fernet.Parse(token, FletAlgorithm.AesGcm);
        using FletKey key = DeriveKey(parsed.CopySalt(), iterations);
        return key.Open(parsed, null, DateTimeOffset.UtcNow, TextCodec.ToText);
    }

    /// <summary>
    /// Whether Dispose has run by now. Called after a derivation that read <see cref="Bytes"/>: Dispose on another
    /// thread zeroes them under the derivation, which then gives a key of half-zeroed bytes, so that key must be
    /// dropped. A full fence, so every read of the bytes before it happened before this look at the reference.
    /// </summary>
    internal bool DisposedSinceRead() => Interlocked.CompareExchange(ref _utf8, null, null) is null;

    /// <summary>Zeroes the passphrase bytes.</summary>
    public void Dispose()
    {
        // The reference first, then the bytes: a derivation that still sees the reference afterwards is done with them.
        SecureMemory.Zero(Interlocked.Exchange(ref _utf8, null));
    }
}
