using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace FletSecret.Cipher.Tests;

/// <summary>Dispose zeroes the key and passphrase bytes and makes the objects unusable.</summary>
public sealed class ZeroingTests
{
    [Fact]
    public void Disposing_a_key_zeroes_its_bytes()
    {
        using var passphrase = new FletPassphrase("zero me");
        FletKey key = passphrase.CreateKey(1);
        string token = key.Encrypt("x");
        byte[] held = key.KeyBytes;
        Assert.Equal(32, held.Length);
        Assert.Contains(held, b => b != 0);
        Assert.False(key.IsDisposed);

        key.Dispose();

        Assert.True(key.IsDisposed);
        Assert.All(held, b => Assert.Equal(0, b));
        Assert.Throws<ObjectDisposedException>(() => key.KeyBytes);
        Assert.Throws<ObjectDisposedException>(() => key.Encrypt("x"));
        Assert.Throws<ObjectDisposedException>(() => key.Encrypt(new byte[1], new byte[16], DateTimeOffset.UtcNow));
        Assert.Throws<ObjectDisposedException>(() => key.Decrypt(token));
        Assert.Throws<ObjectDisposedException>(() => key.DecryptToBytes(token));
        key.Dispose(); // twice is harmless
        Assert.Equal(16, key.GetSalt().Length); // the salt is not secret
    }

    [Fact]
    public void Disposing_a_passphrase_zeroes_its_bytes()
    {
        var passphrase = new FletPassphrase("zero me too");
        byte[] held = passphrase.Bytes;
        Assert.Equal("zero me too"u8.ToArray(), held);

        passphrase.Dispose();

        Assert.All(held, b => Assert.Equal(0, b));
        Assert.Throws<ObjectDisposedException>(() => passphrase.Bytes);
        Assert.Throws<ObjectDisposedException>(() => passphrase.Utf8Length);
        Assert.Throws<ObjectDisposedException>(() => passphrase.CreateKey(1));
        Assert.Throws<ObjectDisposedException>(() => passphrase.Encrypt("x", 1));
        passphrase.Dispose();
    }

    [Fact]
    public void A_key_outlives_its_passphrase_and_keeps_its_own_copies()
    {
        byte[] utf8 = "caller's bytes"u8.ToArray();
        var passphrase = FletPassphrase.FromUtf8(utf8);
        byte[] salt = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();
        FletKey key = passphrase.DeriveKey(salt, 1);
        string token = key.Encrypt("still works");

        passphrase.Dispose();
        Assert.Equal("caller's bytes"u8.ToArray(), utf8); // FromUtf8 copied; the caller's array is the caller's
        salt[0] = 0xFF;                                   // DeriveKey copied the salt
        Assert.Equal(0, key.GetSalt()[0]);
        key.GetSalt()[1] = 0xFF;                          // GetSalt gives a copy
        Assert.Equal(1, key.GetSalt()[1]);
        Assert.Equal("still works", key.Decrypt(token));
        key.Dispose();
    }

    [Fact]
    public void Char_array_passphrase_is_left_to_the_caller()
    {
        char[] chars = "secret".ToCharArray();
        using var passphrase = new FletPassphrase(chars);
        Assert.Equal("secret", new string(chars));
        Array.Clear(chars);
        Assert.Equal("secret"u8.ToArray(), passphrase.Bytes);
    }

    /// <summary>
    /// A key disposed on another thread while it encrypts (a cache dropping it, Ctrl+C) must not hand out a token
    /// made with its half-zeroed bytes: such a token opens under no key, so the secret in it would be lost. Each round
    /// disposes somewhere inside a large encryption; every token that comes back must open under the same key.
    /// </summary>
    [Theory]
    [InlineData(FletAlgorithm.Fernet)]
    [InlineData(FletAlgorithm.AesGcm)]
    public async Task A_key_disposed_while_it_encrypts_gives_no_token_that_cannot_be_opened(FletAlgorithm algorithm)
    {
        using var passphrase = new FletPassphrase("disposed mid-way");
        byte[] salt = Enumerable.Range(0, 16).Select(i => (byte)(i * 7)).ToArray();
        using FletKey reference = passphrase.DeriveKey(salt, 1);
        string plaintext = new('x', 8 * 1024 * 1024);
        int returned = 0, refused = 0;
        for (int round = 0; round < 16; round++)
        {
            FletKey key = passphrase.DeriveKey(salt, 1);
            using var started = new ManualResetEventSlim();
            Task<string> encrypt = Task.Run(() =>
            {
                started.Set();
                return algorithm == FletAlgorithm.AesGcm ? key.EncryptAesGcm256(plaintext) : key.Encrypt(plaintext);
            });
            started.Wait();
            Thread.Sleep(round % 8);
            key.Dispose();
            string token;
            try
            {
                token = await encrypt;
            }
            catch (ObjectDisposedException)
            {
                refused++;
                continue;
            }
            returned++;
            string opened = algorithm == FletAlgorithm.AesGcm ? reference.DecryptAesGcm256(token) : reference.Decrypt(token);
            Assert.True(opened == plaintext, $"round {round}: a token made while its key was disposed opens to something else");
        }
        Assert.Equal(16, returned + refused);
    }

    /// <summary>
    /// The same for a passphrase disposed on another thread while a key is derived from it, alone or by a
    /// <see cref="FletKeyDeriver"/>: no key may come out of half-zeroed passphrase bytes. A long passphrase (hashed
    /// first, as HMAC does with keys over 64 bytes) keeps the bytes in use long enough for Dispose to land inside.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_passphrase_disposed_while_a_key_is_derived_from_it_gives_no_wrong_key(bool deriver)
    {
        byte[] utf8 = Enumerable.Range(0, 4 * 1024 * 1024).Select(i => (byte)('a' + i % 26)).ToArray();
        byte[] salt = Enumerable.Range(0, 16).Select(i => (byte)(i * 5)).ToArray();
        byte[] expected;
        using (var whole = FletPassphrase.FromUtf8(utf8))
        using (FletKey key = whole.DeriveKey(salt, 1))
            expected = (byte[])key.KeyBytes.Clone();
        int returned = 0, refused = 0;
        for (int round = 0; round < 12; round++)
        {
            var passphrase = FletPassphrase.FromUtf8(utf8);
            var keys = deriver ? new FletKeyDeriver(passphrase, 1) : null;
            using var started = new ManualResetEventSlim();
            Task<FletKey> derive = Task.Run(() =>
            {
                started.Set();
                return keys is null ? passphrase.DeriveKey(salt, 1) : keys.DeriveAsync(salt, 1).GetAwaiter().GetResult();
            });
            started.Wait();
            Thread.Sleep(round % 6);
            passphrase.Dispose();
            try
            {
                using FletKey key = await derive;
                returned++;
                Assert.True(key.KeyBytes.SequenceEqual(expected), $"round {round}: a key derived while its passphrase was disposed is another key");
            }
            catch (ObjectDisposedException)
            {
                refused++;
            }
            finally
            {
                keys?.Dispose();
            }
        }
        Assert.Equal(12, returned + refused);
    }
}
