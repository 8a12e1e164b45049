using System;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;
using System.Text.RegularExpressions;
using CsCheck;
using Xunit;

namespace FletSecret.Cipher.Tests;

/// <summary>Encrypt then decrypt gives the text back, through every input and output form.</summary>
public sealed class RoundTripTests
{
    private static readonly Regex PaddedBase64Url = new(TokenAssert.PaddedBase64UrlPattern, RegexOptions.CultureInvariant);

    private static SecureString Secure(string text)
    {
        var secure = new SecureString();
        foreach (char c in text) secure.AppendChar(c);
        secure.MakeReadOnly();
        return secure;
    }

    /// <summary>All of a SecureString's chars (NetworkCredential would stop at the first NUL).</summary>
    private static string Reveal(SecureString secure)
    {
        IntPtr unmanaged = Marshal.SecureStringToGlobalAllocUnicode(secure);
        try
        {
            return Marshal.PtrToStringUni(unmanaged, secure.Length);
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(unmanaged);
        }
    }

    private static void AssertWellFormed(string token)
    {
        Assert.Matches(PaddedBase64Url, token);
        Assert.Equal(0, token.Length % 4);
        string fernet = Codec.SplitToken(token).Fernet;
        Assert.Matches(PaddedBase64Url, fernet);
        Assert.Equal(0, fernet.Length % 4);
        Assert.StartsWith("gAAAAA", fernet, StringComparison.Ordinal);
    }

    /// <summary>Every output form of one token.</summary>
    private static void AssertAllOutputs(FletKey key, string token, string text)
    {
        Assert.Equal(text, key.Decrypt(token));
        Assert.Equal(Codec.StrictUtf8.GetBytes(text), key.DecryptToBytes(token));
        Assert.Equal(text.ToCharArray(), key.DecryptToChars(token));
        if (text.Length <= 65536)
        {
            using SecureString secure = key.DecryptToSecureString(token);
            Assert.True(secure.IsReadOnly());
            Assert.Equal(text.Length, secure.Length);
            Assert.Equal(text, Reveal(secure));
        }
    }

    private static readonly Gen<(string Text, string Passphrase, int Iterations)> Cases =
        Gen.Select(TextGen.Text(60), TextGen.Text(20), Gen.Int[1, 50]);

    [Fact]
    public void Random_text_and_passphrases_round_trip_through_every_form()
    {
        Cases.Sample((text, passphraseText, iterations) =>
        {
            using var passphrase = new FletPassphrase(passphraseText);
            string token = passphrase.Encrypt(text, iterations);
            AssertWellFormed(token);
            Assert.Equal(text, passphrase.Decrypt(token, iterations));
            Assert.Equal(text, FletSecurity.Decrypt(token, passphraseText, iterations));

            using FletKey key = passphrase.DeriveKey(FletTokenInfo.Parse(token).Salt, iterations);
            AssertAllOutputs(key, token, text);

            // Other inputs of the same text.
            using SecureString secureText = Secure(text);
            string fromSecure = key.Encrypt(secureText);
            string fromBytes = key.Encrypt(Codec.StrictUtf8.GetBytes(text));
            AssertWellFormed(fromSecure);
            AssertWellFormed(fromBytes);
            AssertAllOutputs(key, fromSecure, text);
            AssertAllOutputs(key, fromBytes, text);
            Assert.Equal(text, FletSecurity.Decrypt(FletSecurity.Encrypt(text, passphraseText, iterations), passphraseText, iterations));
        }, iter: 150);
    }

    [Fact]
    public void Each_encryption_has_a_fresh_salt_and_iv()
    {
        using var passphrase = new FletPassphrase("p");
        string a = passphrase.Encrypt("same", 1), b = passphrase.Encrypt("same", 1);
        Assert.NotEqual(a, b);
        Assert.NotEqual(FletTokenInfo.Parse(a).Salt, FletTokenInfo.Parse(b).Salt);

        using FletKey key = passphrase.CreateKey(1);
        string c = key.Encrypt("same"), d = key.Encrypt("same");
        var (saltC, payloadC) = Codec.Payload(c);
        var (saltD, payloadD) = Codec.Payload(d);
        Assert.Equal(saltC, saltD); // one key, one salt
        Assert.Equal(key.GetSalt(), saltC);
        Assert.NotEqual(payloadC.AsSpan(9, 16).ToArray(), payloadD.AsSpan(9, 16).ToArray()); // fresh IV
    }

    [Fact]
    public void Timestamp_is_the_current_time()
    {
        using var passphrase = new FletPassphrase("p");
        long before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string token = passphrase.Encrypt("x", 1);
        long after = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.InRange((long)FletTokenInfo.Parse(token).UnixTimeSeconds, before, after);
    }

    [Fact]
    public void Empty_string_round_trips()
    {
        using var passphrase = new FletPassphrase("");
        using FletKey key = passphrase.CreateKey(1);
        string token = key.Encrypt("");
        AssertWellFormed(token);
        Assert.Equal(16, FletTokenInfo.Parse(token).CiphertextLength);
        AssertAllOutputs(key, token, "");
        Assert.Equal("", passphrase.Decrypt(token, 1));
        AssertAllOutputs(key, key.Encrypt(Array.Empty<byte>()), "");
        using var empty = new SecureString();
        AssertAllOutputs(key, key.Encrypt(empty), "");
    }

    [Fact]
    public void One_megabyte_string_round_trips()
    {
        string text = TextGen.Deterministic(1 << 20, seed: 1);
        using var passphrase = new FletPassphrase("big");
        using FletKey key = passphrase.CreateKey(1);
        string token = key.Encrypt(text);
        AssertWellFormed(token);
        AssertAllOutputs(key, token, text);
        Assert.Equal(text, passphrase.Decrypt(token, 1));
        // A SecureString cannot hold it: a clear error, not a truncated secret.
        TokenAssert.Fails(FletTokenError.TooLarge, () => key.DecryptToSecureString(token));
    }

    [Fact]
    public void Base64_variants_read_as_the_same_token()
    {
        TextGen.Text(30).Sample(text =>
        {
            using var passphrase = new FletPassphrase("tolerant");
            using FletKey key = passphrase.CreateKey(1);
            string token = key.Encrypt(text);

            string unpadded = token.TrimEnd('=');
            string standardAlphabet = token.Replace('-', '+').Replace('_', '/');
            string surrounded = " \t\r\n" + token + "\r\n ";
            string wrapped = string.Join("\n", Enumerable.Range(0, (token.Length + 75) / 76)
                .Select(i => token.Substring(i * 76, Math.Min(76, token.Length - i * 76))));
            string all = "\n " + string.Join("\r\n", Enumerable.Range(0, (unpadded.Length + 63) / 64)
                .Select(i => unpadded.Substring(i * 64, Math.Min(64, unpadded.Length - i * 64)))).Replace('-', '+').Replace('_', '/') + "\t";

            foreach (string variant in new[] { unpadded, standardAlphabet, surrounded, wrapped, all })
            {
                Assert.Equal(text, key.Decrypt(variant));
                Assert.Equal(text, passphrase.Decrypt(variant, 1));
            }

            // The Fernet layer inside is read as tolerantly: its padding stripped, its alphabet standard.
            var (salt, fernet) = Codec.SplitToken(token);
            string innerVariant = Codec.JoinToken(salt, " " + fernet.TrimEnd('=').Replace('-', '+').Replace('_', '/') + "\n");
            Assert.Equal(text, key.Decrypt(innerVariant));
        }, iter: 50);
    }

    [Fact]
    public void One_key_is_safe_to_share_between_threads()
    {
        using var passphrase = new FletPassphrase("shared");
        using FletKey key = passphrase.CreateKey(1);
        var tokens = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        System.Threading.Tasks.Parallel.For(0, 2000, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            string text = "message " + i;
            string token = key.Encrypt(text);
            Assert.True(tokens.TryAdd(token, text), "two encryptions gave the same token");
            Assert.Equal(text, key.Decrypt(token));
        });
        foreach (var pair in tokens) Assert.Equal(pair.Value, key.Decrypt(pair.Key));
    }

    [Fact]
    public void Empty_secure_string_passphrase_is_the_empty_passphrase()
    {
        using var empty = new SecureString();
        using var fromSecure = new FletPassphrase(empty);
        using var fromString = new FletPassphrase("");
        Assert.Equal(0, fromSecure.Utf8Length);
        byte[] salt = new byte[16];
        using FletKey a = fromSecure.DeriveKey(salt, 1), b = fromString.DeriveKey(salt, 1);
        Assert.Equal(b.KeyBytes, a.KeyBytes);
    }

    [Fact]
    public void Output_is_always_padded_base64url()
    {
        Gen.Int[0, 200].Sample(length =>
        {
            using var passphrase = new FletPassphrase("p");
            using FletKey key = passphrase.CreateKey(1);
            var bytes = new byte[length];
            Random.Shared.NextBytes(bytes);
            string token = key.Encrypt(bytes);
            AssertWellFormed(token);
            Assert.Equal(bytes, key.DecryptToBytes(token));
            int payload = 1 + 8 + 16 + (length / 16 + 1) * 16 + 32;
            int inner = (payload + 2) / 3 * 4;
            Assert.Equal((16 + inner + 2) / 3 * 4, token.Length);
        }, iter: 200);
    }
}
