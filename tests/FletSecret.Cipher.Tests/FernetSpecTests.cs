using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Xunit;

namespace FletSecret.Cipher.Tests;

/// <summary>The Fernet specification's own vectors (Vectors/fernet-spec), for the Fernet layer on its own.</summary>
public sealed class FernetSpecTests
{
    public static TheoryData<int> Generate => new(Enumerable.Range(0, Vectors.FernetGenerate.Value.Count));
    public static TheoryData<int> Verify => new(Enumerable.Range(0, Vectors.FernetVerify.Value.Count));
    public static TheoryData<string> Invalid => new(Vectors.FernetInvalid.Value.Select(c => c.Desc));

    /// <summary>What each invalid case must be reported as. Every desc in invalid.json must be listed here.</summary>
    private static readonly Dictionary<string, FletTokenError> ExpectedErrors = new()
    {
        ["incorrect mac"] = FletTokenError.AuthenticationFailed,
        ["too short"] = FletTokenError.InvalidFormat,
        ["invalid base64"] = FletTokenError.InvalidFormat,
        ["payload size not multiple of block size"] = FletTokenError.InvalidFormat,
        ["payload padding error"] = FletTokenError.InvalidFormat,
        ["far-future TS (unacceptable clock skew)"] = FletTokenError.TimestampInFuture,
        ["expired TTL"] = FletTokenError.Expired,
        ["incorrect IV (causes padding error)"] = FletTokenError.InvalidFormat,
    };

    private static readonly byte[] FletSalt = Codec.Hex("f0e1d2c3b4a5968778695a4b3c2d1e0f");

    /// <summary>A FletKey over the spec's raw Fernet key, so the public decrypt path can read wrapped spec tokens.</summary>
    private static FletKey KeyOf(FernetCase c) => new(Codec.FromB64Url(c.Secret), (byte[])FletSalt.Clone(), 1);

    [Fact]
    public void The_vector_files_are_the_expected_ones()
    {
        Assert.Single(Vectors.FernetGenerate.Value);
        Assert.Single(Vectors.FernetVerify.Value);
        Assert.Equal(ExpectedErrors.Keys.OrderBy(k => k), Vectors.FernetInvalid.Value.Select(c => c.Desc).OrderBy(k => k));
        Assert.Equal(499162800, Vectors.FernetGenerate.Value[0].Now.ToUnixTimeSeconds());
    }

    [Theory]
    [MemberData(nameof(Generate))]
    public void Seal_makes_exactly_the_spec_token(int index)
    {
        FernetCase c = Vectors.FernetGenerate.Value[index];
        byte[] key = Codec.FromB64Url(c.Secret);
        byte[] iv = c.Iv.Select(i => (byte)i).ToArray();
        byte[] src = Encoding.UTF8.GetBytes(c.Src);

        byte[] payload = Fernet.Seal(key, src, 0, src.Length, iv, c.Now.ToUnixTimeSeconds());
        Assert.Equal(Codec.FromB64Url(c.Token), payload);
        Assert.Equal(c.Token, Codec.B64Url(payload));

        // Through the public API: the Fernet token inside the Flet token is the spec's token.
        using FletKey fletKey = KeyOf(c);
        string token = fletKey.Encrypt(src, iv, c.Now);
        Assert.Equal(FletSalt, Codec.SplitToken(token).Salt);
        Assert.Equal(c.Token, Codec.SplitToken(token).Fernet);
    }

    [Theory]
    [MemberData(nameof(Verify))]
    public void Verify_cases_decrypt_with_ttl_and_now(int index)
    {
        FernetCase c = Vectors.FernetVerify.Value[index];
        byte[] key = Codec.FromB64Url(c.Secret);
        TimeSpan ttl = TimeSpan.FromSeconds(c.TtlSec);

        byte[] plaintext = Internals.FernetDecrypt(key, c.Token, ttl, c.Now);
        Assert.Equal(c.Src, Encoding.UTF8.GetString(plaintext));

        using FletKey fletKey = KeyOf(c);
        Assert.Equal(c.Src, fletKey.Decrypt(Codec.JoinToken(FletSalt, c.Token), ttl, c.Now));
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_cases_are_rejected_with_the_specific_error(string desc)
    {
        FernetCase c = Vectors.FernetInvalid.Value.Single(x => x.Desc == desc);
        FletTokenError expected = ExpectedErrors[desc];
        byte[] key = Codec.FromB64Url(c.Secret);
        TimeSpan ttl = TimeSpan.FromSeconds(c.TtlSec);

        // The bare Fernet layer.
        TokenAssert.Fails(expected, () => Internals.FernetDecrypt(key, c.Token, ttl, c.Now));

        // The same Fernet token inside a Flet token, through the public API, in every output form.
        using FletKey fletKey = KeyOf(c);
        string wrapped = Codec.JoinToken(FletSalt, c.Token);
        TokenAssert.Fails(expected, () => fletKey.Decrypt(wrapped, ttl, c.Now));
        TokenAssert.Fails(expected, () => fletKey.DecryptToBytes(wrapped, ttl, c.Now));
        TokenAssert.Fails(expected, () => fletKey.DecryptToChars(wrapped, ttl, c.Now));
        TokenAssert.Fails(expected, () => fletKey.DecryptToSecureString(wrapped, ttl, c.Now));
    }

    [Theory]
    [InlineData("far-future TS (unacceptable clock skew)")]
    [InlineData("expired TTL")]
    public void Time_cases_decrypt_when_no_ttl_is_given(string desc)
    {
        // Python's Fernet.decrypt(token) without ttl checks neither age nor skew; these tokens are otherwise valid
        // and hold an empty plaintext (Python cryptography 48 decrypts both to b"").
        FernetCase c = Vectors.FernetInvalid.Value.Single(x => x.Desc == desc);
        byte[] key = Codec.FromB64Url(c.Secret);
        byte[] plaintext = Internals.FernetDecrypt(key, c.Token, null, c.Now);
        Assert.Empty(plaintext);

        using FletKey fletKey = KeyOf(c);
        Assert.Equal("", fletKey.Decrypt(Codec.JoinToken(FletSalt, c.Token), null, c.Now));
    }
}
