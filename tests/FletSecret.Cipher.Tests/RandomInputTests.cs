using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace FletSecret.Cipher.Tests;

/// <summary>Random garbage into the decrypt path: only FletTokenException ever comes out.</summary>
public sealed class RandomInputTests
{
    private readonly ITestOutputHelper _output;

    public RandomInputTests(ITestOutputHelper output) => _output = output;

    private const string Base64Chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=";

    private static readonly Func<FletPassphrase, FletKey, string, object>[] Decrypts =
    {
        (p, k, t) => p.Decrypt(t, 1),
        (p, k, t) => k.Decrypt(t, TimeSpan.FromSeconds(60)),
        (p, k, t) => k.DecryptToSecureString(t),
        (p, k, t) => FletTokenInfo.Parse(t),
    };

    /// <summary>
    /// Feeds 3000 inputs from makeInput(random, key, n) to every decrypt path: only FletTokenException may come out,
    /// and nothing may decrypt. The seed is in the test output, to replay a failure.
    /// </summary>
    private void OnlyTokenErrors(string label, Func<Random, FletKey, int, string> makeInput)
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        using var passphrase = new FletPassphrase("random");
        using FletKey key = passphrase.CreateKey(1);
        var counts = new Dictionary<FletTokenError, int>();
        var failures = new List<string>();
        int decrypted = 0;
        const int Inputs = 3000;
        for (int n = 0; n < Inputs; n++)
        {
            string input = makeInput(random, key, n);
            for (int f = 0; f < Decrypts.Length; f++)
            {
                try
                {
                    Decrypts[f](passphrase, key, input);
                    if (f < Decrypts.Length - 1) decrypted++; // the last one only parses
                }
                catch (FletTokenException e)
                {
                    counts[e.Error] = counts.TryGetValue(e.Error, out int count) ? count + 1 : 1;
                }
                catch (Exception e)
                {
                    failures.Add($"{e.GetType().FullName} for input of {input.Length} chars starting '{input.Substring(0, Math.Min(40, input.Length))}': {e.Message}");
                }
            }
        }
        _output.WriteLine($"{label} (seed {seed}): {Inputs} inputs; {string.Join(", ", counts.Select(p => $"{p.Key} {p.Value}"))}");
        Assert.True(failures.Count == 0, $"{failures.Count} non-token exceptions, e.g.:\n" + string.Join("\n", failures.Take(10)));
        Assert.Equal(0, decrypted);
    }

    [Fact]
    public void Random_strings() => OnlyTokenErrors("random strings", (random, _, _) =>
    {
        var chars = new char[random.Next(0, 300)];
        for (int i = 0; i < chars.Length; i++)
        {
            int kind = random.Next(10);
            chars[i] = kind < 7 ? Base64Chars[random.Next(Base64Chars.Length)]
                : kind < 8 ? (char)random.Next(0, 128)
                : kind < 9 ? " \t\r\n"[random.Next(4)]
                : (char)random.Next(0, 0x10000);
        }
        return new string(chars);
    });

    [Fact]
    public void Random_bytes_as_base64url() => OnlyTokenErrors("random base64url bytes", (random, _, n) =>
    {
        string text = Codec.B64Url(RandomBytes(random, random.Next(0, 400)));
        return n % 2 == 0 ? text : text.TrimEnd('=');
    });

    [Fact]
    public void Random_bytes_behind_a_valid_looking_fernet_prefix() => OnlyTokenErrors("'gAAAAA' tokens", (random, key, n) =>
    {
        byte[] salt = n % 3 == 0 ? key.GetSalt() : RandomBytes(random, 16);
        string inner;
        if (n % 2 == 0)
        {
            // A structurally valid payload: version byte, time, IV, whole blocks, a random MAC.
            byte[] payload = RandomBytes(random, 25 + 16 * random.Next(1, 6) + 32);
            payload[0] = 0x80;
            inner = Codec.B64Url(payload);
        }
        else
        {
            // 'gAAAAA' then random base64url characters of any length.
            var chars = new char[random.Next(0, 200)];
            for (int i = 0; i < chars.Length; i++) chars[i] = Base64Chars[random.Next(Base64Chars.Length)];
            inner = "gAAAAA" + new string(chars);
        }
        return Codec.JoinToken(salt, inner);
    });

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
