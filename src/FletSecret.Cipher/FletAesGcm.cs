using System;
using System.Security.Cryptography;

namespace FletSecret.Cipher;

/// <summary>Which of flet.security's two pairs of functions made (or is to make) a token.</summary>
public enum FletAlgorithm
{
    /// <summary><c>encrypt</c> / <c>decrypt</c>: a Fernet token (AES-128-CBC and HMAC-SHA256) after the salt.</summary>
    Fernet,

    /// <summary><c>encrypt_aes_gcm_256</c> / <c>decrypt_aes_gcm_256</c>: AES-GCM with a 32-byte nonce after the salt.</summary>
    AesGcm,
}

/// <summary>
/// Flet's second pair: base64url(salt || nonce32 || AES-GCM ciphertext || tag16), no associated data. The AES key is
/// the ASCII of the first 32 hex digits of SHA-256(base64url(k)), k being the 32 bytes PBKDF2 gives the Fernet pair
/// too: so 32 key bytes that carry 128 bits.
/// </summary>
internal static class FletAesGcm
{
    public const int NonceSize = 32;
    public const int TagSize = GcmCipher.TagSize;
    public const int KeySize = 32;

    /// <summary>The fewest bytes a GCM token decodes to: salt, nonce and tag around an empty ciphertext.</summary>
    public const int MinTokenBytes = Fernet.SaltSize + NonceSize + TagSize;

    /// <summary>Makes a whole GCM token from a plaintext that <paramref name="writePlaintext"/> writes into the buffer.</summary>
    public static string Encrypt(byte[] fletKey, byte[] salt, int plaintextBytes, Action<byte[], int> writePlaintext,
        byte[] nonce, GHashEngine engine = GHashEngine.Auto)
    {
        Fernet.CheckPlaintextSize(plaintextBytes);
        int plaintextOffset = Fernet.SaltSize + NonceSize;
        int size = checked(plaintextOffset + plaintextBytes + TagSize);
        byte[] buffer = LargeBuffer.Rent(size);
        try
        {
            Buffer.BlockCopy(salt, 0, buffer, 0, Fernet.SaltSize);
            Buffer.BlockCopy(nonce, 0, buffer, Fernet.SaltSize, NonceSize);
            writePlaintext(buffer, plaintextOffset);
            using (GcmCipher gcm = CreateCipher(fletKey, engine))
            {
                gcm.Encrypt(buffer, Fernet.SaltSize, NonceSize, null, buffer, plaintextOffset, plaintextBytes, buffer, plaintextOffset + plaintextBytes);
            }
            return Fernet.EncodeToString(buffer, size);
        }
        finally
        {
            LargeBuffer.Return(buffer, size);
        }
    }

    /// <summary>
    /// Checks the tag (constant time) and only then decrypts in place; returns the plaintext's length, the plaintext
    /// being token.Buffer[token.PlaintextOffset..). A GCM token carries no time, so a maximum age cannot be checked.
    /// </summary>
    public static int Decrypt(byte[] fletKey, ParsedToken token, TimeSpan? maxAge, GHashEngine engine = GHashEngine.Auto)
    {
        if (token.Algorithm != FletAlgorithm.AesGcm) throw new InvalidOperationException("Not an AES-GCM token.");
        if (token.Opened) throw new InvalidOperationException("The token was already decrypted in place.");
        if (maxAge is not null) throw NoTimestamp();
        byte[] buffer = token.Buffer;
        int count = token.CiphertextLength;
        using GcmCipher gcm = CreateCipher(fletKey, engine);
        // A tag that does not match leaves the ciphertext as it was: no plaintext is ever made from it.
        if (!gcm.Decrypt(buffer, token.PayloadOffset, NonceSize, null, buffer, token.PlaintextOffset, count, buffer, token.PlaintextOffset + count))
            throw FletTokenException.Authentication();
        token.Opened = true;
        return count;
    }

    internal static FletTokenException NoTimestamp() =>
        new(FletTokenError.NoTimestamp,
            "The token was made by Flet's encrypt_aes_gcm_256, which records no time, so its age cannot be checked against a maximum age.");

    /// <summary>Checks the GCM layout of buffer[0..decoded) (outer base64 already decoded).</summary>
    public static ParsedToken CheckToken(byte[] buffer, int decoded)
    {
        if (decoded < MinTokenBytes)
            throw FletTokenException.Format(
                $"the token is {decoded} bytes long; an AES-GCM token has at least {MinTokenBytes} (salt, nonce and tag). It may be truncated.");
        int ciphertext = decoded - MinTokenBytes;
        if (ciphertext > FletTokenLimits.MaxPlaintextBytes)
            throw new FletTokenException(FletTokenError.TooLarge,
                $"The AES-GCM token holds {ciphertext} bytes of ciphertext; tokens of more than {FletTokenLimits.MaxPlaintextBytes} bytes are not read.");
        return new ParsedToken(buffer, decoded, Fernet.SaltSize, decoded - Fernet.SaltSize, 0, FletAlgorithm.AesGcm);
    }

    private static GcmCipher CreateCipher(byte[] fletKey, GHashEngine engine)
    {
        byte[] aesKey = DeriveAesKey(fletKey);
        try
        {
            return new GcmCipher(aesKey, engine);
        }
        finally
        {
            SecureMemory.Zero(aesKey);
        }
    }

    /// <summary>
    /// Flet's AES key: hashlib.sha256(base64.urlsafe_b64encode(k)).hexdigest()[:32].encode(). Base64 and hex are
    /// computed with arithmetic, not alphabet tables, so no memory access depends on key bits; intermediates are zeroed.
    /// </summary>
    internal static byte[] DeriveAesKey(byte[] fletKey)
    {
        if (fletKey.Length != Pbkdf2.KeySize) throw new ArgumentException("A Flet key is 32 bytes.", nameof(fletKey));
        var encoded = new byte[44];
        byte[]? digest = null;
        try
        {
            EncodeKey(fletKey, encoded);
#if NET8_0_OR_GREATER
            digest = new byte[32];
            SHA256.HashData(encoded, digest);
#else
            using (var sha = SHA256.Create()) digest = sha.ComputeHash(encoded);
#endif
            var aesKey = new byte[KeySize];
            for (int i = 0; i < KeySize / 2; i++)
            {
                aesKey[2 * i] = HexDigit(digest[i] >> 4);
                aesKey[2 * i + 1] = HexDigit(digest[i] & 15);
            }
            return aesKey;
        }
        finally
        {
            SecureMemory.Zero(encoded);
            SecureMemory.Zero(digest);
        }
    }

    /// <summary>Padded base64url of the 32 key bytes: 43 characters and one '='.</summary>
    private static void EncodeKey(byte[] key, byte[] destination)
    {
        int d = 0, i = 0;
        for (; i + 2 < key.Length; i += 3)
        {
            int v = key[i] << 16 | key[i + 1] << 8 | key[i + 2];
            destination[d++] = Base64UrlDigit(v >> 18);
            destination[d++] = Base64UrlDigit((v >> 12) & 63);
            destination[d++] = Base64UrlDigit((v >> 6) & 63);
            destination[d++] = Base64UrlDigit(v & 63);
        }
        int w = key[i] << 16 | key[i + 1] << 8; // 32 = 3 * 10 + 2
        destination[d++] = Base64UrlDigit(w >> 18);
        destination[d++] = Base64UrlDigit((w >> 12) & 63);
        destination[d++] = Base64UrlDigit((w >> 6) & 63);
        destination[d] = (byte)'=';
    }

    /// <summary>A-Z a-z 0-9 - _ for 0..63, by adding offsets under masks.</summary>
    private static byte Base64UrlDigit(int v)
    {
        int c = v + 'A';
        c += ((25 - v) >> 31) & ('a' - 'A' - 26);       // 26..51 -> a..z
        c += ((51 - v) >> 31) & ('0' - 'a' - 26);       // 52..61 -> 0..9
        c += ((61 - v) >> 31) & ('-' - '0' - 62 + 52);  // 62 -> '-'
        c += ((62 - v) >> 31) & ('_' - '-' - 1);        // 63 -> '_'
        return (byte)c;
    }

    private static byte HexDigit(int n) => (byte)(n + '0' + (((9 - n) >> 31) & ('a' - '0' - 10)));
}
