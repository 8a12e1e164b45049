using System;
using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace FletSecret.Cipher.Tests;

/// <summary>
/// Huge inputs end in a result or a clear FletTokenException, in bounded time and memory. One class, so these
/// memory-hungry tests never run at the same time as each other.
/// </summary>
public sealed class HugeInputTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30); // they take a second or two; this only catches hangs

    private readonly ITestOutputHelper _output;

    public HugeInputTests(ITestOutputHelper output) => _output = output;

    private T Measure<T>(string label, Func<T> action, long maxAllocatedBytes)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var watch = Stopwatch.StartNew();
        T result = action();
        watch.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        _output.WriteLine($"{label}: {watch.Elapsed.TotalSeconds:F2} s, {allocated / 1e6:F0} MB allocated");
        Assert.True(watch.Elapsed < Bound, $"{label} took {watch.Elapsed}");
        Assert.True(allocated <= maxAllocatedBytes, $"{label} allocated {allocated} bytes, more than {maxAllocatedBytes}");
        return result;
    }

    [Fact]
    public void A_100_MB_token_of_A_characters()
    {
        string token = new('A', 100_000_000);
        Assert.True(token.Length < FletTokenLimits.MaxTokenLength); // under the limit: it must be read and refused
        using var passphrase = new FletPassphrase("huge");
        var e = Measure("100 MB of 'A'", () => Assert.Throws<FletTokenException>(() => passphrase.Decrypt(token, 1)),
            maxAllocatedBytes: 100_000_000); // one decoded buffer (75 MB), no copies of the text
        Assert.Equal(FletTokenError.InvalidFormat, e.Error);
    }

    [Fact]
    public void A_plaintext_over_the_limit_is_refused_before_its_UTF8_is_counted()
    {
        // Counting the UTF-8 of more than 2 GiB overflows (ArgumentException "Conversion buffer overflow"), so the
        // character count is checked first. A lone surrogate at the end shows the order: counting would find it and
        // give InvalidText; the limit, checked first, gives TooLarge.
        string text = new string('x', FletTokenLimits.MaxPlaintextBytes) + "\uD800";
        using var passphrase = new FletPassphrase("huge");
        using FletKey key = passphrase.DeriveKey(new byte[16], 1);
        var e = Measure("plaintext over the limit", () => Assert.Throws<FletTokenException>(() => key.Encrypt(text)),
            maxAllocatedBytes: 1_000_000);
        Assert.Equal(FletTokenError.TooLarge, e.Error);
        Assert.Contains($"at most {FletTokenLimits.MaxPlaintextBytes} bytes", e.Message);
    }

    [Fact]
    public void A_token_over_the_length_limit_is_refused_before_decoding()
    {
        string token = new('A', FletTokenLimits.MaxTokenLength + 1);
        using var passphrase = new FletPassphrase("huge");
        var e = Measure("token over the limit", () => Assert.Throws<FletTokenException>(() => passphrase.Decrypt(token, 1)),
            maxAllocatedBytes: 1_000_000);
        Assert.Equal(FletTokenError.TooLarge, e.Error);
        Assert.Equal(FletTokenError.TooLarge, Assert.Throws<FletTokenException>(() => FletTokenInfo.Parse(token)).Error);
    }

    [Fact]
    public void A_100_MB_token_with_a_valid_structure_fails_authentication()
    {
        // base64url(salt || base64url(0x80 || zeros...)) of about 100 million characters: parsed, then the HMAC fails.
        int payloadLength = 25 + 16 * 3_500_000 + 32;
        var payload = new byte[payloadLength];
        payload[0] = 0x80;
        string token = Codec.FromPayload(new byte[16], payload);
        payload = null!;
        _output.WriteLine($"token of {token.Length} chars");
        using var passphrase = new FletPassphrase("huge");
        var e = Measure("100 MB structured token", () => Assert.Throws<FletTokenException>(() => passphrase.Decrypt(token, 1)),
            maxAllocatedBytes: 100_000_000);
        Assert.Equal(FletTokenError.AuthenticationFailed, e.Error);
    }

    [Fact]
    public void A_50_MB_plaintext_round_trips()
    {
        string text = new('p', 50_000_000);
        using var passphrase = new FletPassphrase("huge");
        using FletKey key = passphrase.CreateKey(1);
        string token = Measure("encrypt 50 MB", () => key.Encrypt(text), maxAllocatedBytes: 600_000_000);
        string back = Measure("decrypt 50 MB", () => key.Decrypt(token), maxAllocatedBytes: 600_000_000);
        Assert.Equal(text.Length, back.Length);
        Assert.True(text == back);
    }

    [Fact]
    public void The_largest_plaintext_round_trips_and_its_token_is_exactly_the_length_limit()
    {
        var bytes = new byte[FletTokenLimits.MaxPlaintextBytes];
        bytes[0] = 1;
        bytes[^1] = 2;
        using var passphrase = new FletPassphrase("huge");
        using FletKey key = passphrase.CreateKey(1);
        // About 10 times the plaintext at most: the token string is 1.8 times it in chars (3.6 in bytes), and the
        // netstandard build's TransformFinalBlock copies the data a few times.
        const long Bound = 10L * FletTokenLimits.MaxPlaintextBytes;
        string token = Measure("encrypt 64 MiB", () => key.Encrypt(bytes), maxAllocatedBytes: Bound);
        Assert.Equal(FletTokenLimits.MaxTokenLength, token.Length);
        byte[] back = Measure("decrypt 64 MiB", () => key.DecryptToBytes(token), maxAllocatedBytes: Bound);
        Assert.True(bytes.AsSpan().SequenceEqual(back));

        // The same token wrapped at 76 characters a line, as base64 tools and mail write it: longer than the limit
        // in characters, but the limit counts what is decoded, so it is read.
        var wrapped = new System.Text.StringBuilder(token.Length + token.Length / 76 * 2 + 2);
        for (int i = 0; i < token.Length; i += 76) wrapped.Append(token, i, Math.Min(76, token.Length - i)).Append("\r\n");
        token = wrapped.ToString();
        Assert.True(token.Length > FletTokenLimits.MaxTokenLength);
        back = key.DecryptToBytes(token);
        Assert.True(bytes.AsSpan().SequenceEqual(back));
    }

    [Fact]
    public void A_plaintext_over_the_limit_is_refused()
    {
        var bytes = new byte[FletTokenLimits.MaxPlaintextBytes + 1];
        using var passphrase = new FletPassphrase("huge");
        using FletKey key = passphrase.CreateKey(1);
        var e = Measure("plaintext over the limit", () => Assert.Throws<FletTokenException>(() => key.Encrypt(bytes)), maxAllocatedBytes: 1_000_000);
        Assert.Equal(FletTokenError.TooLarge, e.Error);
    }
}
