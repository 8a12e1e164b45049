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

    /// <summary>Makes a whole Flet token (both layers) from plaintext[offset..offset+count).</summary>
    public static string Encrypt(byte[] key, byte[] salt, byte[] plaintext, int offset, int count, byte[] iv, long unixSeconds)
    {
        byte[] payload = Seal(key, plaintext, offset, count, iv, unixSeconds);
        var outer = new byte[SaltSize + Base64Url.EncodedLength(payload.Length)];
        Buffer.BlockCopy(salt, 0, outer, 0, SaltSize);
        Base64Url.Encode(payload, 0, payload.Length, outer, SaltSize);
        return EncodeToString(outer);
    }

    /// <summary>The Fernet payload before base64: 0x80 || time || IV || AES-128-CBC(plaintext) || HMAC.</summary>
    public static byte[] Seal(byte[] key, byte[] plaintext, int offset, int count, byte[] iv, long unixSeconds)
    {
        if (count > FletTokenLimits.MaxPlaintextBytes)
            throw new FletTokenException(FletTokenError.TooLarge,
                $"The plaintext is {count} bytes of UTF-8; a token holds at most {FletTokenLimits.MaxPlaintextBytes} bytes.");

        int payloadSize = PayloadSize(count);
        var payload = new byte[payloadSize];
        payload[0] = Version;
        WriteBigEndian(payload, 1, unixSeconds);
        Buffer.BlockCopy(iv, 0, payload, 9, IvSize);
        int cipherSize = payloadSize - HeaderSize - MacSize;

        using (var aes = CreateAes(key))
        {
#if NET8_0_OR_GREATER
            aes.EncryptCbc(plaintext.AsSpan(offset, count), iv, payload.AsSpan(HeaderSize, cipherSize), PaddingMode.PKCS7);
#else
            using var encryptor = aes.CreateEncryptor(aes.Key, iv);
            byte[] cipher = encryptor.TransformFinalBlock(plaintext, offset, count);
            Buffer.BlockCopy(cipher, 0, payload, HeaderSize, cipherSize);
#endif
        }
        ComputeMac(key, payload, 0, payloadSize - MacSize, payload, payloadSize - MacSize);
        return payload;
    }

    private static string EncodeToString(byte[] bytes)
    {
#if NET8_0_OR_GREATER
        // Straight into the string: a token of a large plaintext is big, and a char[] or byte[] detour doubles it.
        return string.Create(Base64Url.EncodedLength(bytes.Length), bytes, static (destination, source) =>
        {
            const int ChunkIn = 3 * 1024, ChunkOut = 4 * 1024;
            var chunk = new byte[ChunkOut];
            for (int i = 0, o = 0; i < source.Length; i += ChunkIn)
            {
                int take = Math.Min(ChunkIn, source.Length - i);
                int produced = Base64Url.EncodedLength(take);
                Base64Url.Encode(source, i, take, chunk, 0);
                o += Encoding.ASCII.GetChars(chunk.AsSpan(0, produced), destination.Slice(o));
            }
        });
#else
        var ascii = new byte[Base64Url.EncodedLength(bytes.Length)];
        Base64Url.Encode(bytes, 0, bytes.Length, ascii, 0);
        return Encoding.ASCII.GetString(ascii);
#endif
    }

    /// <summary>
    /// Checks the HMAC (constant time) and, only then, the age and the padding; returns the plaintext bytes.
    /// The payload is token.Buffer[token.PayloadOffset..+token.PayloadLength).
    /// </summary>
    public static byte[] Decrypt(byte[] key, ParsedToken token, TimeSpan? maxAge, DateTimeOffset now)
    {
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
        try
        {
            using var aes = CreateAes(key);
#if NET8_0_OR_GREATER
            return aes.DecryptCbc(buffer.AsSpan(start + HeaderSize, cipherSize), iv, PaddingMode.PKCS7);
#else
            using var decryptor = aes.CreateDecryptor(aes.Key, iv);
            return decryptor.TransformFinalBlock(buffer, start + HeaderSize, cipherSize);
#endif
        }
        catch (CryptographicException e)
        {
            // Reached only with an authentic HMAC, so this is no padding oracle: the token's maker wrote bad padding.
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

    /// <summary>Decodes both base64 layers and checks everything that needs no key: version byte and lengths.</summary>
    public static ParsedToken Parse(string? token)
    {
        if (token is null) throw FletTokenException.Format("the token is null.");
        if (token.Length > FletTokenLimits.MaxTokenLength)
            throw new FletTokenException(FletTokenError.TooLarge,
                $"The token is {token.Length} characters long; tokens longer than {FletTokenLimits.MaxTokenLength} (a {FletTokenLimits.MaxPlaintextBytes}-byte plaintext) are not read.");

        byte[] buffer = Base64Url.Decode(token, "token");
        if (buffer.Length == 0) throw FletTokenException.Format("the token is empty.");
        if (buffer.Length <= SaltSize)
            throw FletTokenException.Format("the token is too short to hold a salt and a Fernet token; it may be truncated.");

        int payloadLength = Base64Url.DecodeInPlace(buffer, SaltSize, buffer.Length - SaltSize, "Fernet token inside the token");
        return CheckPayload(buffer, SaltSize, payloadLength);
    }

    /// <summary>Decodes a bare Fernet token (no salt layer), as the Fernet specification's vectors are.</summary>
    public static ParsedToken ParseFernet(string token)
    {
        byte[] buffer = Base64Url.Decode(token, "Fernet token");
        return CheckPayload(buffer, 0, buffer.Length);
    }

    private static ParsedToken CheckPayload(byte[] buffer, int offset, int length)
    {
        if (length == 0 || buffer[offset] != Version)
            throw FletTokenException.Format("the Fernet version byte is not 0x80; this is not a Flet token.");
        if (length < MinPayloadSize)
            throw FletTokenException.Format("the Fernet token is too short; it may be truncated.");
        if ((length - HeaderSize - MacSize) % 16 != 0)
            throw FletTokenException.Format("the Fernet token's encrypted data is not a whole number of AES blocks; it may be truncated.");

        ulong seconds = 0;
        for (int i = 0; i < 8; i++) seconds = seconds << 8 | buffer[offset + 1 + i];
        return new ParsedToken(buffer, offset, length, seconds);
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

/// <summary>A token with both base64 layers decoded: salt at Buffer[0..16), the Fernet payload after it.</summary>
internal sealed class ParsedToken
{
    public ParsedToken(byte[] buffer, int payloadOffset, int payloadLength, ulong unixSeconds)
    {
        Buffer = buffer;
        PayloadOffset = payloadOffset;
        PayloadLength = payloadLength;
        UnixSeconds = unixSeconds;
    }

    public byte[] Buffer { get; }
    public int PayloadOffset { get; }
    public int PayloadLength { get; }
    public ulong UnixSeconds { get; }
    public int CiphertextLength => PayloadLength - Fernet.HeaderSize - Fernet.MacSize;

    public byte[] CopySalt()
    {
        var salt = new byte[Fernet.SaltSize];
        System.Buffer.BlockCopy(Buffer, 0, salt, 0, Fernet.SaltSize);
        return salt;
    }

    public bool HasSalt(byte[] salt) => SecureMemory.FixedTimeEquals(Buffer, 0, salt, 0, Fernet.SaltSize);
}
