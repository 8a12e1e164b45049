using System;
using System.Linq;
using System.Security;
using System.Security.Cryptography;
using System.Text;
using Xunit;

namespace FletSecret.Cipher.Tests;

/// <summary>Every FletTokenError through the public API, and what its message must not give away.</summary>
public sealed class ErrorTests
{
    private const string Passphrase = "Passphrase-Zq9-do-not-leak";
    private const string Plaintext = "Plaintext-Xy7-do-not-leak";
    private const int Iterations = 1;

    private static void AssertNoLeak(FletTokenException e)
    {
        foreach (string text in new[] { e.Message, e.ToString() })
        {
            Assert.DoesNotContain(Passphrase, text, StringComparison.Ordinal);
            Assert.DoesNotContain(Plaintext, text, StringComparison.Ordinal);
            Assert.DoesNotContain("Zq9", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Xy7", text, StringComparison.Ordinal);
        }
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    private static string MakeToken(out FletKey key, DateTimeOffset? timestamp = null)
    {
        using var passphrase = new FletPassphrase(Passphrase);
        key = passphrase.CreateKey(Iterations);
        return timestamp is DateTimeOffset t
            ? key.Encrypt(Encoding.UTF8.GetBytes(Plaintext), new byte[16], t)
            : key.Encrypt(Plaintext);
    }

    [Fact]
    public void Every_error_kind_is_covered_here()
    {
        // If FletTokenError grows, this class needs a test for the new value.
        Assert.Equal(
            new[] { "InvalidFormat", "AuthenticationFailed", "Expired", "TimestampInFuture", "NotUtf8Text", "InvalidText", "TooLarge", "NoTimestamp" },
            Enum.GetNames(typeof(FletTokenError)));
    }

    [Fact]
    public void NoTimestamp_for_a_maximum_age_on_an_aes_gcm_token()
    {
        using var passphrase = new FletPassphrase(Passphrase);
        using FletKey key = passphrase.CreateKey(Iterations);
        string token = key.EncryptAesGcm256(Plaintext);
        AssertNoLeak(TokenAssert.Fails(FletTokenError.NoTimestamp, () => Internals.DecryptEither(key, token, TimeSpan.FromDays(1))));
        AssertNoLeak(TokenAssert.Fails(FletTokenError.NoTimestamp, () => Internals.DecryptEither(key, token, TimeSpan.Zero)));
    }

    [Fact]
    public void Aes_gcm_errors_give_nothing_away()
    {
        string token = FletSecurity.EncryptAesGcm256(Plaintext, Passphrase, Iterations);
        var wrongKey = TokenAssert.Fails(FletTokenError.AuthenticationFailed, () => FletSecurity.DecryptAesGcm256(token, Passphrase + "!", Iterations));
        AssertNoLeak(wrongKey);
        byte[] bytes = Codec.FromB64Url(token);
        bytes[^1] ^= 1;
        var modified = TokenAssert.Fails(FletTokenError.AuthenticationFailed, () => FletSecurity.DecryptAesGcm256(Codec.B64Url(bytes), Passphrase, Iterations));
        Assert.Equal(wrongKey.Message, modified.Message);
        AssertNoLeak(TokenAssert.Fails(FletTokenError.InvalidFormat, () => FletSecurity.DecryptAesGcm256(Codec.B64Url(bytes[..63]), Passphrase, Iterations)));
        AssertNoLeak(TokenAssert.Fails(FletTokenError.InvalidFormat, () => FletSecurity.DecryptAesGcm256(Plaintext, Passphrase, Iterations)));
    }

    [Fact]
    public void InvalidFormat_for_text_that_is_no_token()
    {
        AssertNoLeak(TokenAssert.Fails(FletTokenError.InvalidFormat, () => FletSecurity.Decrypt(Plaintext, Passphrase, Iterations)));
        AssertNoLeak(TokenAssert.Fails(FletTokenError.InvalidFormat, () => FletSecurity.Decrypt("", Passphrase, Iterations)));
        AssertNoLeak(TokenAssert.Fails(FletTokenError.InvalidFormat, () => FletTokenInfo.Parse("not a token!")));
    }

    [Fact]
    public void AuthenticationFailed_for_a_wrong_passphrase()
    {
        string token = FletSecurity.Encrypt(Plaintext, Passphrase, Iterations);
        var e = TokenAssert.Fails(FletTokenError.AuthenticationFailed, () => FletSecurity.Decrypt(token, Passphrase + "!", Iterations));
        AssertNoLeak(e);
        AssertNoLeak(TokenAssert.Fails(FletTokenError.AuthenticationFailed, () => FletSecurity.Decrypt(token, Passphrase, Iterations + 1)));
    }

    [Fact]
    public void Wrong_key_and_modified_bytes_give_the_same_error()
    {
        string token = MakeToken(out FletKey key);
        using (key)
        {
            var wrongKey = Assert.Throws<FletTokenException>(() => FletSecurity.Decrypt(token, "another passphrase", Iterations));
            var (salt, payload) = Codec.Payload(token);

            // One bit in each region: timestamp, IV, first and last ciphertext byte, first and last MAC byte.
            int[] positions = { 1, 8, 9, 24, 25, payload.Length - 33, payload.Length - 32, payload.Length - 1 };
            foreach (int position in positions)
            {
                byte[] modified = (byte[])payload.Clone();
                modified[position] ^= 0x01;
                string modifiedToken = Codec.FromPayload(salt, modified);
                var e = TokenAssert.Fails(FletTokenError.AuthenticationFailed, () => key.Decrypt(modifiedToken));
                Assert.Equal(wrongKey.Message, e.Message);
                var viaPassphrase = TokenAssert.Fails(FletTokenError.AuthenticationFailed, () => FletSecurity.Decrypt(modifiedToken, Passphrase, Iterations));
                Assert.Equal(wrongKey.Message, viaPassphrase.Message);
            }

            // A modified salt derives another key: the same error again, from both paths.
            byte[] otherSalt = (byte[])salt.Clone();
            otherSalt[0] ^= 0x80;
            string saltToken = Codec.FromPayload(otherSalt, payload);
            Assert.Equal(wrongKey.Message, TokenAssert.Fails(FletTokenError.AuthenticationFailed, () => key.Decrypt(saltToken)).Message);
            Assert.Equal(wrongKey.Message, TokenAssert.Fails(FletTokenError.AuthenticationFailed, () => FletSecurity.Decrypt(saltToken, Passphrase, Iterations)).Message);
        }
    }

    [Fact]
    public void Hmac_is_checked_before_decryption()
    {
        // A token whose ciphertext would fail PKCS7 unpadding, with an authentic-looking structure but a stale MAC,
        // must be AuthenticationFailed: no padding oracle. Re-signed with the real key it is the padding error.
        string token = MakeToken(out FletKey key, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000));
        using (key)
        {
            var (salt, payload) = Codec.Payload(token);
            byte[] encryptionKey = key.KeyBytes.AsSpan(16, 16).ToArray();
            byte[] signingKey = key.KeyBytes.AsSpan(0, 16).ToArray();
            int cipherStart = 25, cipherLength = payload.Length - 25 - 32;
            byte[] iv = payload.AsSpan(9, 16).ToArray();

            var random = new Random(99);
            using var aes = Aes.Create();
            aes.Key = encryptionKey;
            while (true)
            {
                random.NextBytes(payload.AsSpan(cipherStart + cipherLength - 16, 16));
                try
                {
                    aes.DecryptCbc(payload.AsSpan(cipherStart, cipherLength), iv, PaddingMode.PKCS7);
                }
                catch (CryptographicException)
                {
                    break; // this ciphertext has bad padding
                }
            }

            string stale = Codec.FromPayload(salt, payload);
            AssertNoLeak(TokenAssert.Fails(FletTokenError.AuthenticationFailed, () => key.Decrypt(stale)));
            AssertNoLeak(TokenAssert.Fails(FletTokenError.AuthenticationFailed, () => FletSecurity.Decrypt(stale, Passphrase, Iterations)));

            // Same bytes, authentic MAC: now the padding is reached, and reported as a format error.
            HMACSHA256.HashData(signingKey, payload.AsSpan(0, payload.Length - 32), payload.AsSpan(payload.Length - 32));
            string signed = Codec.FromPayload(salt, payload);
            AssertNoLeak(TokenAssert.Fails(FletTokenError.InvalidFormat, () => key.Decrypt(signed)));

            // And the MAC is checked before the age, too: a stale MAC on an expired token is AuthenticationFailed.
            DateTimeOffset muchLater = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
            TokenAssert.Fails(FletTokenError.AuthenticationFailed, () => key.Decrypt(stale, TimeSpan.FromSeconds(1), muchLater));
        }
    }

    [Fact]
    public void Expired_with_a_maximum_age()
    {
        DateTimeOffset made = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        string token = MakeToken(out FletKey key, made);
        using (key)
        {
            var e = TokenAssert.Fails(FletTokenError.Expired, () => key.Decrypt(token, TimeSpan.FromMinutes(5), made.AddMinutes(6)));
            AssertNoLeak(e);
        }
    }

    [Fact]
    public void Expired_through_the_one_shot_call()
    {
        DateTimeOffset made = DateTimeOffset.UtcNow.AddHours(-1);
        string token = MakeToken(out FletKey key, made);
        key.Dispose();
        AssertNoLeak(TokenAssert.Fails(FletTokenError.Expired, () => FletSecurity.Decrypt(token, Passphrase, Iterations, TimeSpan.FromMinutes(1))));
        Assert.Equal(Plaintext, FletSecurity.Decrypt(token, Passphrase, Iterations, TimeSpan.FromHours(2)));
    }

    [Fact]
    public void TimestampInFuture_with_a_maximum_age()
    {
        DateTimeOffset made = DateTimeOffset.UtcNow.AddHours(1);
        string token = MakeToken(out FletKey key, made);
        using (key)
        {
            AssertNoLeak(TokenAssert.Fails(FletTokenError.TimestampInFuture, () => key.Decrypt(token, TimeSpan.FromDays(1))));
            AssertNoLeak(TokenAssert.Fails(FletTokenError.TimestampInFuture, () => FletSecurity.Decrypt(token, Passphrase, Iterations, TimeSpan.FromDays(1))));
        }
    }

    [Fact]
    public void NotUtf8Text_for_an_authentic_binary_plaintext()
    {
        using var passphrase = new FletPassphrase(Passphrase);
        using FletKey key = passphrase.CreateKey(Iterations);
        byte[] binary = Encoding.UTF8.GetBytes(Plaintext).Append((byte)0xFF).ToArray();
        string token = key.Encrypt(binary);

        Assert.Equal(binary, key.DecryptToBytes(token)); // as bytes it is fine
        AssertNoLeak(TokenAssert.Fails(FletTokenError.NotUtf8Text, () => key.Decrypt(token)));
        AssertNoLeak(TokenAssert.Fails(FletTokenError.NotUtf8Text, () => key.DecryptToChars(token)));
        AssertNoLeak(TokenAssert.Fails(FletTokenError.NotUtf8Text, () => key.DecryptToSecureString(token)));
        AssertNoLeak(TokenAssert.Fails(FletTokenError.NotUtf8Text, () => passphrase.Decrypt(token, Iterations)));
        AssertNoLeak(TokenAssert.Fails(FletTokenError.NotUtf8Text, () => FletSecurity.Decrypt(token, Passphrase, Iterations)));
        // Overlong and surrogate encodings are not UTF-8 either (Python's strict decode refuses them too).
        TokenAssert.Fails(FletTokenError.NotUtf8Text, () => key.Decrypt(key.Encrypt(new byte[] { 0xC0, 0xAF })));
        TokenAssert.Fails(FletTokenError.NotUtf8Text, () => key.Decrypt(key.Encrypt(new byte[] { 0xED, 0xA0, 0x80 })));
    }

    [Fact]
    public void InvalidText_for_a_lone_surrogate()
    {
        string badPlaintext = Plaintext + "\uD800";
        string badPassphrase = Passphrase + "\uDC00";
        AssertNoLeak(TokenAssert.Fails(FletTokenError.InvalidText, () => FletSecurity.Encrypt(badPlaintext, Passphrase, Iterations)));
        AssertNoLeak(TokenAssert.Fails(FletTokenError.InvalidText, () => FletSecurity.Encrypt(Plaintext, badPassphrase, Iterations)));
        AssertNoLeak(TokenAssert.Fails(FletTokenError.InvalidText, () => new FletPassphrase(badPassphrase)));
        AssertNoLeak(TokenAssert.Fails(FletTokenError.InvalidText, () => new FletPassphrase(badPassphrase.ToCharArray())));
        using var secure = new SecureString();
        foreach (char c in badPassphrase) secure.AppendChar(c);
        AssertNoLeak(TokenAssert.Fails(FletTokenError.InvalidText, () => new FletPassphrase(secure)));

        using var passphrase = new FletPassphrase(Passphrase);
        using FletKey key = passphrase.CreateKey(Iterations);
        AssertNoLeak(TokenAssert.Fails(FletTokenError.InvalidText, () => key.Encrypt(badPlaintext)));
        AssertNoLeak(TokenAssert.Fails(FletTokenError.InvalidText, () => key.Encrypt("\uDC00" + Plaintext)));
        using var secureText = new SecureString();
        foreach (char c in badPlaintext) secureText.AppendChar(c);
        AssertNoLeak(TokenAssert.Fails(FletTokenError.InvalidText, () => key.Encrypt(secureText)));
    }

    [Fact]
    public void TooLarge_for_a_plaintext_over_the_limit()
    {
        using var passphrase = new FletPassphrase(Passphrase);
        using FletKey key = passphrase.CreateKey(Iterations);
        var huge = new byte[FletTokenLimits.MaxPlaintextBytes + 1];
        AssertNoLeak(TokenAssert.Fails(FletTokenError.TooLarge, () => key.Encrypt(huge)));
    }

    [Fact]
    public void TooLarge_for_a_secure_string_over_65536_chars()
    {
        using var passphrase = new FletPassphrase(Passphrase);
        using FletKey key = passphrase.CreateKey(Iterations);
        string token = key.Encrypt(new string('x', 65537));
        AssertNoLeak(TokenAssert.Fails(FletTokenError.TooLarge, () => key.DecryptToSecureString(token)));
        using SecureString fits = key.DecryptToSecureString(key.Encrypt(new string('x', 65536)));
        Assert.Equal(65536, fits.Length);
    }

    [Fact]
    public void Arguments_are_checked_as_arguments()
    {
        using var passphrase = new FletPassphrase(Passphrase);
        using FletKey key = passphrase.CreateKey(Iterations);
        string token = key.Encrypt(Plaintext);
        Assert.Throws<ArgumentNullException>(() => FletSecurity.Encrypt(null!, Passphrase));
        Assert.Throws<ArgumentNullException>(() => FletSecurity.Encrypt(Plaintext, null!));
        Assert.Throws<ArgumentNullException>(() => key.Encrypt((string)null!));
        Assert.Throws<ArgumentNullException>(() => key.Encrypt((byte[])null!));
        Assert.Throws<ArgumentException>(() => key.Encrypt(new byte[1], new byte[15], DateTimeOffset.UtcNow));
        Assert.Throws<ArgumentOutOfRangeException>(() => key.Decrypt(token, TimeSpan.FromSeconds(-1)));
    }
}
