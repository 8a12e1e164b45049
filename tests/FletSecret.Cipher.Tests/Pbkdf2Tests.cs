using System;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Cryptography.KeyDerivation;
using Xunit;
using Xunit.Abstractions;

namespace FletSecret.Cipher.Tests;

/// <summary>
/// PBKDF2-HMAC-SHA256 of both builds against two oracles: the platform's Rfc2898DeriveBytes.Pbkdf2 and
/// ASP.NET Core's KeyDerivation.Pbkdf2 (test-only package).
/// </summary>
public sealed class Pbkdf2Tests
{
    private readonly ITestOutputHelper _output;

    public Pbkdf2Tests(ITestOutputHelper output) => _output = output;

    private static byte[] Platform(byte[] password, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, 32);

    private static byte[] Managed(byte[] password, byte[] salt, int iterations)
    {
        var key = new byte[32];
        ManagedPbkdf2Sha256.DeriveKey(password, salt, iterations, key);
        return key;
    }

    private static byte[] Library(byte[] password, byte[] salt, int iterations)
    {
        // A larger destination: DeriveKey must write exactly [0..32) and nothing after.
        var key = new byte[40];
        for (int i = 32; i < 40; i++) key[i] = 0xA5;
        Pbkdf2.DeriveKey(password, salt, iterations, key);
        for (int i = 32; i < 40; i++) Assert.Equal(0xA5, key[i]);
        return key.AsSpan(0, 32).ToArray();
    }

    [Theory]
    // RFC 7914 section 11 / widely published PBKDF2-HMAC-SHA256 values, checked with Python's hashlib.
    [InlineData("password", "salt", 1, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b")]
    [InlineData("password", "salt", 2, "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43")]
    [InlineData("password", "salt", 4096, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a")]
    [InlineData("passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1")]
    public void Known_answers(string password, string salt, int iterations, string expectedHex)
    {
        byte[] p = Encoding.ASCII.GetBytes(password), s = Encoding.ASCII.GetBytes(salt);
        Assert.Equal(expectedHex, Codec.ToHex(Managed(p, s, iterations)));
        Assert.Equal(expectedHex, Codec.ToHex(Library(p, s, iterations)));
    }

    [Fact]
    public void Both_implementations_match_the_platform_on_random_byte_passwords_and_salts()
    {
        int seed = Environment.TickCount;
        _output.WriteLine($"seed {seed}; library build {LibraryBuild.TargetFramework}");
        var random = new Random(seed);
        int[] edgeLengths = { 0, 1, 31, 32, 33, 55, 56, 63, 64, 65, 119, 120, 127, 128, 129, 300 };
        for (int n = 0; n < 300; n++)
        {
            int passwordLength = n < edgeLengths.Length ? edgeLengths[n] : random.Next(0, 301);
            int saltLength = n < edgeLengths.Length ? edgeLengths[edgeLengths.Length - 1 - n] : random.Next(0, 130);
            int iterations = n % 10 == 0 ? 1 : random.Next(1, 2001);
            byte[] password = new byte[passwordLength], salt = new byte[saltLength];
            random.NextBytes(password);
            random.NextBytes(salt);

            byte[] expected = Platform(password, salt, iterations);
            string what = $"case {n} (seed {seed}): password {passwordLength} bytes, salt {saltLength} bytes, {iterations} iterations";
            Assert.True(expected.AsSpan().SequenceEqual(Managed(password, salt, iterations)), "managed differs in " + what);
            Assert.True(expected.AsSpan().SequenceEqual(Library(password, salt, iterations)), "Pbkdf2.DeriveKey differs in " + what);
        }
    }

    [Fact]
    public void Both_implementations_match_KeyDerivation_on_random_text_passwords()
    {
        // KeyDerivation takes the password as a string and uses its UTF-8 bytes, as Flet does.
        int seed = Environment.TickCount;
        _output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        for (int n = 0; n < 200; n++)
        {
            string password = TextGen.Deterministic(random.Next(0, 120), random.Next());
            byte[] utf8 = Codec.StrictUtf8.GetBytes(password);
            var salt = new byte[n % 3 == 0 ? 16 : random.Next(0, 80)];
            random.NextBytes(salt);
            int iterations = random.Next(1, 2001);

            byte[] expected = KeyDerivation.Pbkdf2(password, salt, KeyDerivationPrf.HMACSHA256, iterations, 32);
            string what = $"case {n} (seed {seed}): password {utf8.Length} UTF-8 bytes, salt {salt.Length} bytes, {iterations} iterations";
            Assert.True(expected.AsSpan().SequenceEqual(Managed(utf8, salt, iterations)), "managed differs in " + what);
            Assert.True(expected.AsSpan().SequenceEqual(Library(utf8, salt, iterations)), "Pbkdf2.DeriveKey differs in " + what);

            // And through the public API, for the 16-byte salts a key has.
            if (salt.Length == 16)
            {
                using var passphrase = new FletPassphrase(password);
                using FletKey key = passphrase.DeriveKey(salt, iterations);
                Assert.True(expected.AsSpan().SequenceEqual(key.KeyBytes), "FletPassphrase.DeriveKey differs in " + what);
            }
        }
    }

    [Fact]
    public void Passwords_longer_than_a_block_are_hashed_first()
    {
        // HMAC uses SHA-256(password) for passwords over 64 bytes, so both must give the same key.
        var password = new byte[65];
        new Random(7).NextBytes(password);
        byte[] salt = Encoding.ASCII.GetBytes("salt");
        byte[] hashed = SHA256.HashData(password);
        Assert.Equal(Managed(hashed, salt, 3), Managed(password, salt, 3));
        Assert.Equal(Library(hashed, salt, 3), Library(password, salt, 3));
        // ...while a 64-byte password is used as it is.
        byte[] block = password.AsSpan(0, 64).ToArray();
        Assert.NotEqual(Managed(SHA256.HashData(block), salt, 3), Managed(block, salt, 3));
    }

    [Fact]
    public void Sha256_matches_the_platform_for_lengths_0_to_300()
    {
        var random = new Random(12345);
        for (int length = 0; length <= 300; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            Assert.True(SHA256.HashData(data).AsSpan().SequenceEqual(Sha256.Hash(data)), $"SHA-256 differs for {length} bytes");
        }
    }

    [Fact]
    public void Iteration_count_below_one_is_refused()
    {
        var key = new byte[32];
        Assert.Throws<ArgumentOutOfRangeException>(() => Pbkdf2.DeriveKey(new byte[1], new byte[16], 0, key));
        using var passphrase = new FletPassphrase("x");
        Assert.Throws<ArgumentOutOfRangeException>(() => passphrase.DeriveKey(new byte[16], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => passphrase.CreateKey(-1));
        Assert.Throws<ArgumentException>(() => passphrase.DeriveKey(new byte[15], 1));
    }
}
