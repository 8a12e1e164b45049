using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace FletSecret.Cipher.Tests;

/// <summary>
/// Every single-byte change and every truncation of an AES-GCM token (iterations = 1, so each decrypt is cheap):
/// each is an authentication or format error, never a plaintext, through the GCM-only and the either-pair readers.
/// </summary>
public sealed class GcmMutationTests
{
    private const string Secret = "gcm mutation passphrase";
    private const int Iterations = 1;

    private readonly ITestOutputHelper _output;

    public GcmMutationTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string> Plaintexts => new("", "hello é🙂", "exactly 16 bytes", new string('m', 40));

    [Theory]
    [MemberData(nameof(Plaintexts))]
    public void Every_single_byte_change_is_an_authentication_error(string plaintext)
    {
        using var passphrase = new FletPassphrase(Secret);
        using FletKey key = passphrase.CreateKey(Iterations);
        string token = key.EncryptAesGcm256(plaintext);
        byte[] bytes = Codec.FromB64Url(token);
        Assert.Equal(16 + 32 + Encoding.UTF8.GetByteCount(plaintext) + 16, bytes.Length);

        var wrong = new List<string>();
        int tried = 0;
        for (int position = 0; position < bytes.Length; position++)
        {
            for (int value = 0; value < 256; value++)
            {
                if (value == bytes[position]) continue;
                byte[] changed = (byte[])bytes.Clone();
                changed[position] = (byte)value;
                string mutated = Codec.B64Url(changed);
                tried++;
                // A changed salt is another key (refused by the key's salt check); every other byte is under the tag.
                Expect(wrong, FletTokenError.AuthenticationFailed, () => key.DecryptAesGcm256(mutated), $"byte {position} = {value}");
                if (value % 17 == 0)
                {
                    // The either-pair reader (Unprotect-FletString's) may take a changed token for a Fernet one only
                    // if every byte after the salt became base64 text: then it is a format error. Never a plaintext.
                    ExpectEither(wrong, () => Internals.DecryptEither(key, mutated), $"byte {position} = {value} (either pair)");
                }
            }
        }
        // The passphrase path derives a key from the (possibly changed) salt: a sample, each costs a derivation.
        for (int position = 0; position < bytes.Length; position += 7)
        {
            byte[] changed = (byte[])bytes.Clone();
            changed[position] ^= 0x5A;
            string mutated = Codec.B64Url(changed);
            Expect(wrong, FletTokenError.AuthenticationFailed, () => passphrase.DecryptAesGcm256(mutated, Iterations), $"byte {position} ^ 0x5A (passphrase)");
        }
        _output.WriteLine($"{tried} single-byte changes of a {bytes.Length}-byte token, {wrong.Count} wrong outcomes");
        Assert.True(wrong.Count == 0, string.Join("\n", wrong.Take(10)));
        Assert.Equal(plaintext, key.DecryptAesGcm256(token));
    }

    [Theory]
    [MemberData(nameof(Plaintexts))]
    public void Every_truncation_is_a_format_or_authentication_error(string plaintext)
    {
        using var passphrase = new FletPassphrase(Secret);
        using FletKey key = passphrase.CreateKey(Iterations);
        string token = key.EncryptAesGcm256(plaintext);
        byte[] bytes = Codec.FromB64Url(token);

        var wrong = new List<string>();
        for (int length = 0; length < bytes.Length; length++)
        {
            string cut = Codec.B64Url(bytes[..length]);
            // Shorter than salt, nonce and tag: a format error. Otherwise the tag does not match.
            FletTokenError expected = length < 64 ? FletTokenError.InvalidFormat : FletTokenError.AuthenticationFailed;
            Expect(wrong, expected, () => key.DecryptAesGcm256(cut), $"bytes cut to {length}");
            ExpectEither(wrong, () => Internals.DecryptEither(key, cut), $"bytes cut to {length} (either pair)");
            if (length % 5 == 0) Expect(wrong, expected, () => passphrase.DecryptAesGcm256(cut, Iterations), $"bytes cut to {length} (passphrase)");
        }
        for (int length = 0; length < token.Length; length++)
        {
            string cut = token.Substring(0, length);
            if (token.Substring(length).All(c => c == '='))
            {
                // Only '=' padding cut: the same bytes (all padding gone) or a padding error; never another plaintext.
                var (read, error) = TokenAssert.Try(() => key.DecryptAesGcm256(cut));
                if (error is null) Assert.Equal(plaintext, read);
                else Assert.Equal(FletTokenError.InvalidFormat, error.Error);
                continue;
            }
            ExpectEither(wrong, () => key.DecryptAesGcm256(cut), $"text cut to {length}");
            ExpectEither(wrong, () => Internals.DecryptEither(key, cut), $"text cut to {length} (either pair)");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong.Take(10)));
    }

    [Theory]
    [MemberData(nameof(Plaintexts))]
    public void Every_single_character_change_of_the_text_is_refused_or_harmless(string plaintext)
    {
        using var passphrase = new FletPassphrase(Secret);
        using FletKey key = passphrase.CreateKey(Iterations);
        string token = key.EncryptAesGcm256(plaintext);
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= \n%é\0";
        var wrong = new List<string>();
        int same = 0, refused = 0;
        for (int i = 0; i < token.Length; i++)
        {
            foreach (char c in Alphabet)
            {
                if (c == token[i]) continue;
                string mutated = token.Substring(0, i) + c + token.Substring(i + 1);
                foreach (Func<string> decrypt in new Func<string>[] { () => key.DecryptAesGcm256(mutated), () => Internals.DecryptEither(key, mutated) })
                {
                    try
                    {
                        // Same bytes (padding bits, '+' for '-', white space) may read; a different plaintext never.
                        if (decrypt() == plaintext) same++;
                        else wrong.Add($"'{c}' at {i}: a DIFFERENT plaintext");
                    }
                    catch (FletTokenException)
                    {
                        refused++;
                    }
                    catch (Exception e)
                    {
                        wrong.Add($"'{c}' at {i}: {e.GetType().Name}");
                    }
                }
            }
        }
        _output.WriteLine($"{same} same plaintext, {refused} refused");
        Assert.True(wrong.Count == 0, string.Join("\n", wrong.Take(10)));
        Assert.True(refused > same);
    }

    private static void Expect(List<string> wrong, FletTokenError expected, Func<string> decrypt, string what)
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

    private static void ExpectEither(List<string> wrong, Func<string> decrypt, string what)
    {
        try
        {
            decrypt();
            wrong.Add($"{what}: decrypted");
        }
        catch (FletTokenException e) when (e.Error is FletTokenError.AuthenticationFailed or FletTokenError.InvalidFormat)
        {
        }
        catch (Exception e)
        {
            wrong.Add($"{what}: {e.GetType().Name} {(e as FletTokenException)?.Error}");
        }
    }
}
