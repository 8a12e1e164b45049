using System;
using System.Text;

namespace FletSecret.Cipher.Tests;

/// <summary>Test-side encodings, independent of the library's own Base64Url.</summary>
internal static class Codec
{
    public static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static byte[] Hex(string hex) => Convert.FromHexString(hex);

    public static string ToHex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    /// <summary>Padded base64url, as Python's base64.urlsafe_b64encode.</summary>
    public static string B64Url(byte[] bytes) =>
        // One string, no Replace copies: the huge-input tests build tokens of 100 million characters with this.
        string.Create((bytes.Length + 2) / 3 * 4, bytes, static (destination, source) =>
        {
            if (!Convert.TryToBase64Chars(source, destination, out int written) || written != destination.Length)
                throw new InvalidOperationException("base64 length mismatch");
            for (int i = 0; i < destination.Length; i++)
            {
                if (destination[i] == '+') destination[i] = '-';
                else if (destination[i] == '/') destination[i] = '_';
            }
        });

    /// <summary>Strict padded base64url decode, as Python's base64.urlsafe_b64decode of a well-formed input.</summary>
    public static byte[] FromB64Url(string text) => Convert.FromBase64String(text.Replace('-', '+').Replace('_', '/'));

    /// <summary>Splits a Flet token into its salt and the ASCII characters of the Fernet token inside.</summary>
    public static (byte[] Salt, string Fernet) SplitToken(string token)
    {
        byte[] outer = FromB64Url(token);
        var salt = new byte[16];
        Array.Copy(outer, salt, 16);
        return (salt, Encoding.ASCII.GetString(outer, 16, outer.Length - 16));
    }

    /// <summary>The reverse of <see cref="SplitToken"/>: base64url(salt || ASCII of the Fernet token).</summary>
    public static string JoinToken(byte[] salt, string fernet)
    {
        byte[] ascii = Encoding.Latin1.GetBytes(fernet);
        var outer = new byte[salt.Length + ascii.Length];
        salt.CopyTo(outer, 0);
        ascii.CopyTo(outer, salt.Length);
        return B64Url(outer);
    }

    /// <summary>The Fernet payload bytes (0x80 || time || IV || ciphertext || HMAC) of a Flet token.</summary>
    public static (byte[] Salt, byte[] Payload) Payload(string token)
    {
        var (salt, fernet) = SplitToken(token);
        return (salt, FromB64Url(fernet));
    }

    public static string FromPayload(byte[] salt, byte[] payload) => JoinToken(salt, B64Url(payload));
}

/// <summary>Calls into the library's internal layers in the shape the tests need.</summary>
internal static class Internals
{
    /// <summary>Parses a bare Fernet token and decrypts it under a raw 32-byte key; returns a copy of the plaintext.</summary>
    public static byte[] FernetDecrypt(byte[] key, string fernetToken, TimeSpan? maxAge, DateTimeOffset now)
    {
        using ParsedToken parsed = Fernet.ParseFernet(fernetToken);
        int count = Fernet.Decrypt(key, parsed, maxAge, now);
        return parsed.Buffer.AsSpan(parsed.PlaintextOffset, count).ToArray();
    }

    /// <summary>Decrypts a token of either pair as Unprotect-FletString does: the pair told by the token's shape.</summary>
    public static string DecryptEither(FletKey key, string token, TimeSpan? maxAge = null)
    {
        using ParsedToken parsed = Fernet.Parse(token, algorithm: null);
        return key.Open(parsed, maxAge, DateTimeOffset.UtcNow, TextCodec.ToText);
    }

    /// <summary>The library's base64 decoder over a whole string.</summary>
    public static byte[] Base64Decode(string text)
    {
        var bytes = new byte[Base64Url.DecodedLength(text, "test input")];
        Base64Url.Decode(text, bytes);
        return bytes;
    }
}
