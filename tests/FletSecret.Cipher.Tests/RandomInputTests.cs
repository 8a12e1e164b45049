using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
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

    private static void OnlyTokenErrors(IEnumerable<string> inputs, FletPassphrase passphrase, FletKey key, ITestOutputHelper output, string label)
    {
        var counts = new Dictionary<FletTokenError, int>();
        var failures = new List<string>();
        int decrypted = 0, total = 0;
        foreach (string input in inputs)
        {
            total++;
            for (int f = 0; f < Decrypts.Length; f++)
            {
                try
                {
                    Decrypts[f](passphrase, key, input);
                    if (f < Decrypts.Length - 1) decrypted++; // the last one only parses
                }
                catch (FletTokenException e)
                {
                    counts[e.Error] = counts.TryGetValue(e.Error, out int n) ? n + 1 : 1;
                }
                catch (Exception e)
                {
                    failures.Add($"{e.GetType().FullName} for input of {input.Length} chars starting '{input.Substring(0, Math.Min(40, input.Length))}': {e.Message}");
                }
            }
        }
        output.WriteLine($"{label}: {total} inputs; {string.Join(", ", counts.Select(p => $"{p.Key} {p.Value}"))}");
        Assert.True(failures.Count == 0, $"{failures.Count} non-token exceptions, e.g.:\n" + string.Join("\n", failures.Take(10)));
        Assert.Equal(0, decrypted);
    }

    private static (FletPassphrase, FletKey) Keys()
    {
        var passphrase = new FletPassphrase("random");
        return (passphrase, passphrase.CreateKey(1));
    }

    [Fact]
    public void Random_strings()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        var (passphrase, key) = Keys();
        using (passphrase)
        using (key)
        {
            IEnumerable<string> Inputs()
            {
                for (int n = 0; n < 3000; n++)
                {
                    int length = random.Next(0, 300);
                    var chars = new char[length];
                    for (int i = 0; i < length; i++)
                    {
                        int kind = random.Next(10);
                        chars[i] = kind < 7 ? Base64Chars[random.Next(Base64Chars.Length)]
                            : kind < 8 ? (char)random.Next(0, 128)
                            : kind < 9 ? " \t\r\n"[random.Next(4)]
                            : (char)random.Next(0, 0x10000);
                    }
                    yield return new string(chars);
                }
            }
            OnlyTokenErrors(Inputs(), passphrase, key, _output, $"random strings (seed {seed})");
        }
    }

    [Fact]
    public void Random_bytes_as_base64url()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        var (passphrase, key) = Keys();
        using (passphrase)
        using (key)
        {
            IEnumerable<string> Inputs()
            {
                for (int n = 0; n < 3000; n++)
                {
                    var bytes = new byte[random.Next(0, 400)];
                    random.NextBytes(bytes);
                    string text = Codec.B64Url(bytes);
                    yield return n % 2 == 0 ? text : text.TrimEnd('=');
                }
            }
            OnlyTokenErrors(Inputs(), passphrase, key, _output, $"random base64url bytes (seed {seed})");
        }
    }

    [Fact]
    public void Random_bytes_behind_a_valid_looking_fernet_prefix()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        var (passphrase, key) = Keys();
        using (passphrase)
        using (key)
        {
            IEnumerable<string> Inputs()
            {
                for (int n = 0; n < 3000; n++)
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
                    yield return Codec.JoinToken(salt, inner);
                }
            }
            OnlyTokenErrors(Inputs(), passphrase, key, _output, $"'gAAAAA' tokens (seed {seed})");
        }
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
