using System;
using System.Security.Cryptography;
using System.Text;

namespace FletSecret.Cipher;

/// <summary>
/// The two layers of a Flet token: base64url(salt || base64url(0x80 || time || IV || AES-128-CBC || HMAC-SHA256)).
/// Keys are the 32 bytes PBKDF2 gives: [0..16) signs, [16..32) encrypts.
/// </summary>
internal static class Fernet
{
    public const int SaltSize = 16;
    public const int IvSize = 16;
    public const int MacSize = 32;
    public const int HeaderSize = 1 + 8 + IvSize;
    public const int MinPayloadSize = HeaderSize + 16 + MacSize;
    private const byte Version = 0x80;
    internal static readonly TimeSpan MaxClockSkew = TimeSpan.FromSeconds(60);

    internal static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static int PayloadSize(int plaintextBytes) => checked(HeaderSize + (plaintextBytes / 16 + 1) * 16 + MacSize);

    /// <summary>
    /// Makes a whole Flet token (both layers) from a plaintext of <paramref name="plaintextBytes"/> UTF-8 bytes that
    /// <paramref name="writePlaintext"/> writes into the given buffer at the given offset.
    /// </summary>
    /// <remarks>
    /// One buffer serves every step: the plaintext is written into its tail, encrypted in place, signed, then
    /// base64-expanded forward into the same buffer behind the salt (the writer never passes the reader).
    /// A large plaintext so costs one buffer of the token's size in bytes besides the output string.
    /// </remarks>
    public static string Encrypt(byte[] key, byte[] salt, int plaintextBytes, Action<byte[], int> writePlaintext, byte[] iv, long unixSeconds)
    {
        CheckPlaintextSize(plaintextBytes);
        int payloadSize = PayloadSize(plaintextBytes);
        int outerSize = SaltSize + Base64Url.EncodedLength(payloadSize);
        byte[] buffer = LargeBuffer.Rent(outerSize);
        try
        {
            int payloadOffset = outerSize - payloadSize;
            writePlaintext(buffer, payloadOffset + HeaderSize);
            SealInPlace(key, buffer, payloadOffset, plaintextBytes, iv, unixSeconds);
            Buffer.BlockCopy(salt, 0, buffer, 0, SaltSize);
            Base64Url.Encode(buffer, payloadOffset, payloadSize, buffer, SaltSize);
            return EncodeToString(buffer, outerSize);
        }
        finally
        {
            LargeBuffer.Return(buffer, outerSize);
        }
    }

    /// <summary>The Fernet payload before base64: 0x80 || time || IV || AES-128-CBC(plaintext) || HMAC.</summary>
    public static byte[] Seal(byte[] key, byte[] plaintext, int offset, int count, byte[] iv, long unixSeconds)
    {
        CheckPlaintextSize(count);
        var payload = new byte[PayloadSize(count)];
        Buffer.BlockCopy(plaintext, offset, payload, HeaderSize, count);
        SealInPlace(key, payload, 0, count, iv, unixSeconds);
        return payload;
    }

    internal static void CheckPlaintextSize(int count)
    {
        if (count > FletTokenLimits.MaxPlaintextBytes)
            throw new FletTokenException(FletTokenError.TooLarge,
                $"The plaintext is {count} bytes of UTF-8; a token holds at most {FletTokenLimits.MaxPlaintextBytes} bytes.");
    }

    /// <summary>
    /// buffer[offset + 25 ..) holds the plaintext; writes the header before it, encrypts it in place and appends the HMAC.
    /// </summary>
    private static void SealInPlace(byte[] key, byte[] buffer, int offset, int count, byte[] iv, long unixSeconds)
    {
        int payloadSize = PayloadSize(count);
        int cipherSize = payloadSize - HeaderSize - MacSize;
        buffer[offset] = Version;
        WriteBigEndian(buffer, offset + 1, unixSeconds);
        Buffer.BlockCopy(iv, 0, buffer, offset + 9, IvSize);

        using (var aes = CreateAes(key))
        {
#if NET8_0_OR_GREATER
            aes.EncryptCbc(buffer.AsSpan(offset + HeaderSize, count), iv, buffer.AsSpan(offset + HeaderSize, cipherSize), PaddingMode.PKCS7);
#else
            // aes.Key would hand out a copy of the key that nobody zeroes: set the IV and use the key inside.
            aes.IV = iv;
            using var encryptor = aes.CreateEncryptor();
            byte[] cipher = encryptor.TransformFinalBlock(buffer, offset + HeaderSize, count);
            Buffer.BlockCopy(cipher, 0, buffer, offset + HeaderSize, cipherSize);
#endif
        }
        int macOffset = offset + payloadSize - MacSize;
        ComputeMac(key, buffer, offset, macOffset - offset, buffer, macOffset);
    }

    /// <summary>Padded base64url of bytes[0..count) as a string.</summary>
    internal static string EncodeToString(byte[] bytes, int count)
    {
#if NET8_0_OR_GREATER
        // Straight into the string: a token of a large plaintext is big, and a char[] or byte[] detour doubles it.
        return string.Create(Base64Url.EncodedLength(count), (bytes, count), static (destination, state) =>
        {
            const int ChunkIn = 3 * 1024, ChunkOut = 4 * 1024;
            (byte[] source, int length) = state;
            var chunk = new byte[ChunkOut];
            for (int i = 0, o = 0; i < length; i += ChunkIn)
            {
                int take = Math.Min(ChunkIn, length - i);
                int produced = Base64Url.EncodedLength(take);
                Base64Url.Encode(source, i, take, chunk, 0);
                o += Encoding.ASCII.GetChars(chunk.AsSpan(0, produced), destination.Slice(o));
            }
        });
#else
        var ascii = new byte[Base64Url.EncodedLength(count)];
        Base64Url.Encode(bytes, 0, count, ascii, 0);
        return Encoding.ASCII.GetString(ascii);
#endif
    }

    /// <summary>
    /// Checks the HMAC (constant time) and, only then, the age and the padding, and decrypts in place. Returns the
    /// plaintext's length; the plaintext is token.Buffer[token.PlaintextOffset..). Once this has returned, the token
    /// holds plaintext, not ciphertext: it cannot be opened again.
    /// </summary>
    public static int Decrypt(byte[] key, ParsedToken token, TimeSpan? maxAge, DateTimeOffset now)
    {
        if (token.Algorithm != FletAlgorithm.Fernet) throw new InvalidOperationException("Not a Fernet token.");
        if (token.Opened) throw new InvalidOperationException("The token was already decrypted in place.");
        byte[] buffer = token.Buffer;
        int start = token.PayloadOffset, length = token.PayloadLength;
        int macOffset = start + length - MacSize;

        var expected = new byte[MacSize];
        ComputeMac(key, buffer, start, macOffset - start, expected, 0);
        bool authentic = SecureMemory.FixedTimeEquals(expected, 0, buffer, macOffset, MacSize);
        if (!authentic) throw FletTokenException.Authentication();

        if (maxAge is TimeSpan age) CheckAge(token.UnixSeconds, age, now);

        int cipherSize = length - HeaderSize - MacSize;
        var iv = new byte[IvSize];
        Buffer.BlockCopy(buffer, start + 9, iv, 0, IvSize);
        token.Opened = true;
        try
        {
            using var aes = CreateAes(key);
#if NET8_0_OR_GREATER
            Span<byte> data = buffer.AsSpan(start + HeaderSize, cipherSize);
            return aes.DecryptCbc(data, iv, data, PaddingMode.PKCS7);
#else
            aes.IV = iv;
            using var decryptor = aes.CreateDecryptor();
            byte[] plaintext = decryptor.TransformFinalBlock(buffer, start + HeaderSize, cipherSize);
            Buffer.BlockCopy(plaintext, 0, buffer, start + HeaderSize, plaintext.Length);
            SecureMemory.Zero(plaintext);
            return plaintext.Length;
#endif
        }
        catch (CryptographicException e)
        {
            // Reached only with an authentic HMAC, so this is no padding oracle: the token's maker wrote bad padding.
            Array.Clear(buffer, start + HeaderSize, cipherSize);
            throw new FletTokenException(FletTokenError.InvalidFormat,
                "The token is authentic but its encrypted data has invalid padding; it was not made by Fernet.", e);
        }
    }

    /// <summary>Python cryptography's rule: expired when time + ttl &lt; now; invalid when more than 60 s ahead.</summary>
    private static void CheckAge(ulong unixSeconds, TimeSpan maxAge, DateTimeOffset now)
    {
        long nowSeconds = now.ToUnixTimeSeconds();
        if ((decimal)unixSeconds + (decimal)maxAge.Ticks / TimeSpan.TicksPerSecond < nowSeconds)
        {
            throw new FletTokenException(FletTokenError.Expired,
                $"The token was made {FormatAge(nowSeconds - (decimal)unixSeconds)} ago, more than the maximum age of {maxAge}.");
        }
        if ((decimal)unixSeconds > nowSeconds + (decimal)MaxClockSkew.TotalSeconds)
        {
            throw new FletTokenException(FletTokenError.TimestampInFuture,
                "The token's timestamp is more than 60 seconds in the future; check the clocks of this machine and of the token's maker.");
        }
    }

    private static string FormatAge(decimal seconds) =>
        seconds > (decimal)TimeSpan.MaxValue.TotalSeconds ? "very long" : TimeSpan.FromSeconds((double)seconds).ToString();

    /// <summary>Decodes both base64 layers of a Fernet-pair token and checks everything that needs no key.</summary>
    public static ParsedToken Parse(string? token) => Parse(token, FletAlgorithm.Fernet);

    /// <summary>
    /// Decodes a token of either pair and checks everything that needs no key: for Fernet the version byte and
    /// lengths, for AES-GCM the length. <paramref name="algorithm"/> null: the token's shape tells (<see cref="Detect"/>).
    /// </summary>
    public static ParsedToken Parse(string? token, FletAlgorithm? algorithm)
    {
        if (token is null) throw FletTokenException.Format("the token is null.");
        return Parse(token.Length, () => Base64Url.SignificantLength(token), () => Base64Url.DecodedLength(token, "token"),
            buffer => Base64Url.Decode(token, buffer), algorithm);
    }

    /// <summary>Reads a token of either pair held in characters (as from a SecureString), with no string made of it.</summary>
    public static ParsedToken Parse(char[] token, FletAlgorithm? algorithm)
    {
        if (token is null) throw FletTokenException.Format("the token is null.");
        return Parse(token.Length, () => Base64Url.SignificantLength(token), () => Base64Url.DecodedLength(token, "token"),
            buffer => Base64Url.Decode(token, buffer), algorithm);
    }

    private static ParsedToken Parse(int length, Func<int> significantLength, Func<int> decodedLength, Action<byte[]> decode,
        FletAlgorithm? algorithm)
    {
        // The limit counts what the decoder reads, so a token wrapped over lines is read like the same one unwrapped.
        if (length > FletTokenLimits.MaxTokenLength)
        {
            int significant = significantLength();
            if (significant > FletTokenLimits.MaxTokenLength)
                throw new FletTokenException(FletTokenError.TooLarge,
                    $"The token is {significant} characters long, white space aside; tokens longer than {FletTokenLimits.MaxTokenLength} (a {FletTokenLimits.MaxPlaintextBytes}-byte plaintext) are not read.");
        }

        int decoded = decodedLength();
        if (decoded == 0) throw FletTokenException.Format("the token is empty.");
        if (decoded <= SaltSize)
            throw FletTokenException.Format(algorithm switch
            {
                FletAlgorithm.Fernet => "the token is too short to hold a salt and a Fernet token; it may be truncated.",
                FletAlgorithm.AesGcm => "the token is too short to hold a salt, a nonce and a tag; it may be truncated.",
                _ => "the token is too short to hold a salt and a Fernet or AES-GCM token; it may be truncated.",
            });

        byte[] buffer = LargeBuffer.Rent(decoded);
        try
        {
            decode(buffer);
            if ((algorithm ?? Detect(buffer, decoded)) == FletAlgorithm.AesGcm) return FletAesGcm.CheckToken(buffer, decoded);
            int payloadLength = Base64Url.DecodeInPlace(buffer, SaltSize, decoded - SaltSize, "Fernet token inside the token");
            return CheckPayload(buffer, decoded, SaltSize, payloadLength);
        }
        catch
        {
            LargeBuffer.Return(buffer, decoded);
            throw;
        }
    }

    /// <summary>
    /// Which pair made a decoded token. After the salt, a Fernet-pair token holds the text of a Fernet token (Python
    /// writes "gAAAAA..."), so every byte is one the base64 reader accepts; an AES-GCM token holds a random nonce,
    /// ciphertext and tag, whose first 48 or more bytes are all such text with a chance below (70/256)^48, about
    /// 2^-89. Only the first <see cref="DetectBytes"/> are looked at: a large token is not scanned twice, and a
    /// malformed Fernet token (a wrong version byte, a bad character further on) still gets its Fernet error.
    /// </summary>
    internal static FletAlgorithm Detect(byte[] buffer, int decoded) =>
        Base64Url.IsText(buffer, SaltSize, Math.Min(decoded - SaltSize, DetectBytes)) ? FletAlgorithm.Fernet : FletAlgorithm.AesGcm;

    private const int DetectBytes = 64;

    /// <summary>
    /// Whether a token that <see cref="Detect"/> took for AES-GCM may yet be a Fernet-pair token that Flet's decrypt
    /// opens: its text after the salt holds bytes that Python's base64 reader skips (so it is not all text), and what it
    /// decodes to starts with the Fernet version byte. About 1 AES-GCM token in 256 passes this; reading it as Fernet
    /// too costs no derivation (both pairs use the same key), and the Fernet HMAC decides.
    /// </summary>
    internal static bool MayBeFernet(ParsedToken aesGcm) =>
        aesGcm.Algorithm == FletAlgorithm.AesGcm &&
        Base64Url.FirstDecodedByte(aesGcm.Buffer, aesGcm.PayloadOffset, aesGcm.PayloadLength) == Version;

    /// <summary>
    /// The token read as a Fernet-pair token as well, when <see cref="MayBeFernet"/> says its AES-GCM reading may be
    /// wrong; null when it may not be, or is no Fernet token. <paramref name="parse"/> reads the token again as the pair
    /// it is given: call this while its text is still there (a SecureString's characters are zeroed after use).
    /// </summary>
    internal static ParsedToken? AlsoAsFernet(ParsedToken parsed, Func<FletAlgorithm?, ParsedToken> parse)
    {
        if (!MayBeFernet(parsed)) return null;
        try
        {
            return parse(FletAlgorithm.Fernet);
        }
        catch (FletTokenException)
        {
            return null;
        }
    }

    /// <summary>Decodes a bare Fernet token (no salt layer), as the Fernet specification's vectors are.</summary>
    public static ParsedToken ParseFernet(string token)
    {
        int decoded = Base64Url.DecodedLength(token, "Fernet token");
        byte[] buffer = LargeBuffer.Rent(decoded);
        try
        {
            Base64Url.Decode(token, buffer);
            return CheckPayload(buffer, decoded, 0, decoded);
        }
        catch
        {
            LargeBuffer.Return(buffer, decoded);
            throw;
        }
    }

    private static ParsedToken CheckPayload(byte[] buffer, int used, int offset, int length)
    {
        if (length == 0 || buffer[offset] != Version)
            throw FletTokenException.Format("the Fernet version byte is not 0x80; this is not a Flet token.");
        if (length < MinPayloadSize)
            throw FletTokenException.Format("the Fernet token is too short; it may be truncated.");
        if ((length - HeaderSize - MacSize) % 16 != 0)
            throw FletTokenException.Format("the Fernet token's encrypted data is not a whole number of AES blocks; it may be truncated.");

        ulong seconds = 0;
        for (int i = 0; i < 8; i++) seconds = seconds << 8 | buffer[offset + 1 + i];
        return new ParsedToken(buffer, used, offset, length, seconds);
    }

    private static Aes CreateAes(byte[] key)
    {
        var aes = Aes.Create();
        var encryptionKey = new byte[16];
        Buffer.BlockCopy(key, 16, encryptionKey, 0, 16);
        aes.Key = encryptionKey;
        SecureMemory.Zero(encryptionKey);
        aes.Mode = CipherMode.CBC;
        aes.Padding = PaddingMode.PKCS7;
        return aes;
    }

    private static void ComputeMac(byte[] key, byte[] data, int offset, int count, byte[] destination, int destinationOffset)
    {
        var signingKey = new byte[16];
        Buffer.BlockCopy(key, 0, signingKey, 0, 16);
        try
        {
#if NET8_0_OR_GREATER
            HMACSHA256.HashData(signingKey, data.AsSpan(offset, count), destination.AsSpan(destinationOffset, MacSize));
#else
            using var hmac = new HMACSHA256(signingKey);
            byte[] mac = hmac.ComputeHash(data, offset, count);
            Buffer.BlockCopy(mac, 0, destination, destinationOffset, MacSize);
#endif
        }
        finally
        {
            SecureMemory.Zero(signingKey);
        }
    }

    private static void WriteBigEndian(byte[] buffer, int offset, long value)
    {
        for (int i = 7; i >= 0; i--, value >>= 8) buffer[offset + i] = (byte)value;
    }
}

/// <summary>
/// A decoded token in a pooled buffer: salt at Buffer[0..16), then the Fernet payload (both base64 layers decoded)
/// or the AES-GCM nonce, ciphertext and tag. Dispose zeroes the buffer and returns it.
/// </summary>
internal sealed class ParsedToken : IDisposable
{
    private byte[]? _buffer;
    private readonly int _used;

    public ParsedToken(byte[] buffer, int used, int payloadOffset, int payloadLength, ulong unixSeconds,
        FletAlgorithm algorithm = FletAlgorithm.Fernet)
    {
        Algorithm = algorithm;
        _buffer = buffer;
        _used = used;
        PayloadOffset = payloadOffset;
        PayloadLength = payloadLength;
        UnixSeconds = unixSeconds;
    }

    public byte[] Buffer => _buffer ?? throw new ObjectDisposedException(nameof(ParsedToken));
    public int PayloadOffset { get; }
    public int PayloadLength { get; }
    /// <summary>The pair that made the token; for AES-GCM the payload is nonce || ciphertext || tag.</summary>
    public FletAlgorithm Algorithm { get; }

    /// <summary>The Fernet timestamp; 0 for AES-GCM, which has none.</summary>
    public ulong UnixSeconds { get; }

    public int PlaintextOffset => PayloadOffset + (Algorithm == FletAlgorithm.AesGcm ? FletAesGcm.NonceSize : Fernet.HeaderSize);

    public int CiphertextLength => Algorithm == FletAlgorithm.AesGcm
        ? PayloadLength - FletAesGcm.NonceSize - FletAesGcm.TagSize
        : PayloadLength - Fernet.HeaderSize - Fernet.MacSize;

    /// <summary>A copy of the AES-GCM nonce; null for Fernet.</summary>
    public byte[]? CopyNonce()
    {
        if (Algorithm != FletAlgorithm.AesGcm) return null;
        var nonce = new byte[FletAesGcm.NonceSize];
        System.Buffer.BlockCopy(Buffer, PayloadOffset, nonce, 0, FletAesGcm.NonceSize);
        return nonce;
    }

    /// <summary>Set once the payload was decrypted in place.</summary>
    public bool Opened { get; set; }

    public byte[] CopySalt()
    {
        var salt = new byte[Fernet.SaltSize];
        System.Buffer.BlockCopy(Buffer, 0, salt, 0, Fernet.SaltSize);
        return salt;
    }

    public bool HasSalt(byte[] salt) => SecureMemory.FixedTimeEquals(Buffer, 0, salt, 0, Fernet.SaltSize);

    public void Dispose()
    {
        byte[]? buffer = _buffer;
        _buffer = null;
        if (buffer is not null) LargeBuffer.Return(buffer, _used);
    }
}
