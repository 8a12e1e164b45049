using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace FletSecret.Cipher.Tests;

/// <summary>
/// Exhaustive single-character damage to valid tokens (iterations = 1, so each decrypt is cheap): every result is
/// a FletTokenException or exactly the original plaintext, never another plaintext and never another exception.
/// </summary>
public sealed class MutationTests
{
    private const string Secret = "mutation passphrase";
    private const int Iterations = 1;

    private static readonly string Alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" + "+/= \n" + "%é\0.*\u00FF\u0100\uFFFD";

    private readonly ITestOutputHelper _output;

    public MutationTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string> Plaintexts => new("", "hello é🙂", "exactly 16 bytes", new string('m', 40));

    private sealed class Tally
    {
        public int Same, Rejected;
        public readonly Dictionary<FletTokenError, int> ByError = new();
        public readonly List<string> Failures = new();

        public void Check(string what, string expected, Func<string> decrypt)
        {
            try
            {
                string result = decrypt();
                if (result == expected) Same++;
                else Failures.Add($"{what}: decrypted to a DIFFERENT plaintext");
            }
            catch (FletTokenException e)
            {
                Rejected++;
                ByError[e.Error] = ByError.TryGetValue(e.Error, out int n) ? n + 1 : 1;
            }
            catch (Exception e)
            {
                Failures.Add($"{what}: {e.GetType().FullName}: {e.Message}");
            }
        }

        public void AssertClean(ITestOutputHelper output, string label)
        {
            output.WriteLine($"{label}: {Same} same plaintext, {Rejected} rejected ({string.Join(", ", ByError.Select(p => $"{p.Key} {p.Value}"))})");
            Assert.True(Failures.Count == 0, $"{Failures.Count} bad outcomes, e.g.:\n" + string.Join("\n", Failures.Take(10)));
        }
    }

    private static IEnumerable<(string What, string Token)> Mutations(string token)
    {
        for (int i = 0; i < token.Length; i++)
        {
            foreach (char c in Alphabet)
            {
                if (c != token[i]) yield return ($"substitute '{Show(c)}' at {i}", token.Substring(0, i) + c + token.Substring(i + 1));
            }
        }
        for (int i = 0; i <= token.Length; i++)
        {
            foreach (char c in Alphabet) yield return ($"insert '{Show(c)}' at {i}", token.Insert(i, c.ToString()));
        }
        for (int length = 0; length < token.Length; length++) yield return ($"truncate to {length}", token.Substring(0, length));
        for (int i = 0; i < token.Length; i++) yield return ($"delete at {i}", token.Remove(i, 1));
    }

    private static string Show(char c) => c < ' ' || c > '~' ? $"\\u{(int)c:X4}" : c.ToString();

    [Theory]
    [MemberData(nameof(Plaintexts))]
    public void Every_single_character_change_of_the_token(string plaintext)
    {
        using var passphrase = new FletPassphrase(Secret);
        string token = passphrase.Encrypt(plaintext, Iterations);
        using FletKey key = passphrase.DeriveKey(FletTokenInfo.Parse(token).Salt, Iterations);

        var tally = new Tally();
        foreach (var (what, mutated) in Mutations(token))
        {
            tally.Check(what, plaintext, () => passphrase.Decrypt(mutated, Iterations));
        }
        tally.AssertClean(_output, $"outer layer, {token.Length} chars");
        Assert.True(tally.Rejected > tally.Same);

        // The same mutations through the key (salt check instead of a new derivation) and the other output forms,
        // on a sample of them to keep the time down.
        var forms = new Tally();
        int n = 0;
        foreach (var (what, mutated) in Mutations(token))
        {
            if (n++ % 7 != 0) continue;
            forms.Check(what + " (key)", plaintext, () => key.Decrypt(mutated));
            forms.Check(what + " (chars)", plaintext, () => new string(key.DecryptToChars(mutated)));
            forms.Check(what + " (bytes)", plaintext, () => Encoding.UTF8.GetString(key.DecryptToBytes(mutated)));
            forms.Check(what + " (info)", "", () => { FletTokenInfo.Parse(mutated); return ""; });
        }
        forms.AssertClean(_output, "key, chars, bytes, info");
    }

    [Theory]
    [MemberData(nameof(Plaintexts))]
    public void Every_single_character_change_of_the_inner_fernet_token(string plaintext)
    {
        using var passphrase = new FletPassphrase(Secret);
        using FletKey key = passphrase.CreateKey(Iterations);
        string token = key.Encrypt(plaintext);
        var (salt, fernet) = Codec.SplitToken(token);

        var tally = new Tally();
        foreach (var (what, mutated) in Mutations(fernet))
        {
            string wrapped = Codec.JoinToken(salt, mutated);
            tally.Check("inner " + what, plaintext, () => key.Decrypt(wrapped));
        }
        tally.AssertClean(_output, $"inner layer, {fernet.Length} chars");
    }

    [Theory]
    [MemberData(nameof(Plaintexts))]
    public void Every_bit_flip_of_the_decoded_bytes_is_rejected_with_the_right_error(string plaintext)
    {
        using var passphrase = new FletPassphrase(Secret);
        using FletKey key = passphrase.CreateKey(Iterations);
        string token = key.Encrypt(plaintext);
        var (salt, payload) = Codec.Payload(token);

        var wrong = new List<string>();
        for (int i = 0; i < salt.Length * 8; i++)
        {
            byte[] s = (byte[])salt.Clone();
            s[i / 8] ^= (byte)(1 << (i % 8));
            string t = Codec.FromPayload(s, payload);
            Expect(FletTokenError.AuthenticationFailed, () => passphrase.Decrypt(t, Iterations), $"salt bit {i}");
            Expect(FletTokenError.AuthenticationFailed, () => key.Decrypt(t), $"salt bit {i} (key)");
        }
        for (int i = 0; i < payload.Length * 8; i++)
        {
            byte[] p = (byte[])payload.Clone();
            p[i / 8] ^= (byte)(1 << (i % 8));
            string t = Codec.FromPayload(salt, p);
            // The version byte is checked without the key; every other bit is under the HMAC.
            FletTokenError expected = i < 8 ? FletTokenError.InvalidFormat : FletTokenError.AuthenticationFailed;
            Expect(expected, () => key.Decrypt(t), $"payload bit {i}");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong.Take(10)));

        void Expect(FletTokenError expected, Func<string> decrypt, string what)
        {
            try
            {
                decrypt();
                wrong.Add($"{what}: decrypted");
            }
            catch (FletTokenException e) when (e.Error == expected)
            {
            }
            catch (Exception e)
            {
                wrong.Add($"{what}: {e.GetType().Name} {(e as FletTokenException)?.Error}");
            }
        }
    }
}
