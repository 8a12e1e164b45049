using System;
using System.Linq;
using System.Text;
using Xunit;

namespace FletSecret.Cipher.Tests;

/// <summary>The tokens Python Flet made (Vectors/flet/vectors.json), byte for byte.</summary>
public sealed class FletVectorTests
{
    public static TheoryData<int> All => new(Enumerable.Range(0, Vectors.Flet.Value.Count));

    public static TheoryData<int> Legacy =>
        new(Enumerable.Range(0, Vectors.Flet.Value.Count).Where(i => Vectors.Flet.Value[i].Iterations == FletSecurity.LegacyIterations));

    [Fact]
    public void The_vector_file_has_both_iteration_counts()
    {
        var cases = Vectors.Flet.Value;
        Assert.Equal(15, cases.Count);
        Assert.Contains(cases, c => c.Iterations == FletSecurity.DefaultIterations);
        Assert.Contains(cases, c => c.Iterations == FletSecurity.LegacyIterations);
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Derives_the_key_and_makes_exactly_the_token(int index)
    {
        FletVector v = Vectors.Flet.Value[index];
        using var passphrase = new FletPassphrase(v.Secret);
        using FletKey key = passphrase.DeriveKey(Codec.Hex(v.Salt), v.Iterations);

        Assert.Equal(v.FernetKey, Codec.B64Url(key.KeyBytes));
        Assert.Equal(v.Iterations, key.Iterations);
        Assert.Equal(Codec.Hex(v.Salt), key.GetSalt());

        string token = key.Encrypt(Encoding.UTF8.GetBytes(v.Plaintext), Codec.Hex(v.Iv), DateTimeOffset.FromUnixTimeSeconds(v.Timestamp));
        Assert.Equal(v.Token, token);

        // The key decrypts its own vector without another derivation.
        Assert.Equal(v.Plaintext, key.Decrypt(v.Token));
    }

    [Theory]
    [MemberData(nameof(All))]
    public void One_shot_decrypt_gives_exactly_the_plaintext(int index)
    {
        FletVector v = Vectors.Flet.Value[index];
        string plaintext = FletSecurity.Decrypt(v.Token, v.Secret, v.Iterations);
        Assert.Equal(v.Plaintext, plaintext);
        Assert.Equal(Encoding.UTF8.GetBytes(v.Plaintext), Encoding.UTF8.GetBytes(plaintext)); // same code points, not just equal-looking
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Token_info_shows_salt_time_and_size(int index)
    {
        FletVector v = Vectors.Flet.Value[index];
        FletTokenInfo info = FletTokenInfo.Parse(v.Token);
        Assert.Equal(v.Salt, info.SaltHex);
        Assert.Equal((ulong)v.Timestamp, info.UnixTimeSeconds);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(v.Timestamp), info.Timestamp);
        int utf8 = Encoding.UTF8.GetByteCount(v.Plaintext);
        Assert.Equal((utf8 / 16 + 1) * 16, info.CiphertextLength);
        Assert.InRange(utf8, info.MinPlaintextBytes, info.MaxPlaintextBytes);
        Assert.StartsWith("gAAAAA", Codec.SplitToken(v.Token).Fernet, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Legacy))]
    public void A_100000_iteration_token_fails_authentication_at_600000(int index)
    {
        FletVector v = Vectors.Flet.Value[index];
        TokenAssert.Fails(FletTokenError.AuthenticationFailed, () => FletSecurity.Decrypt(v.Token, v.Secret));
    }

    [Fact]
    public void A_600000_iteration_token_fails_authentication_at_100000()
    {
        FletVector v = Vectors.Flet.Value.First(c => c.Iterations == FletSecurity.DefaultIterations);
        TokenAssert.Fails(FletTokenError.AuthenticationFailed,
            () => FletSecurity.Decrypt(v.Token, v.Secret, FletSecurity.LegacyIterations));
    }

    [Fact]
    public void Passphrase_forms_give_the_same_key()
    {
        FletVector v = Vectors.Flet.Value.First(c => c.Secret == "ключ🔑"); // Cyrillic and a surrogate pair
        byte[] salt = Codec.Hex(v.Salt);
        const int Iterations = 1000; // the forms must agree; the count does not matter
        using var fromString = new FletPassphrase(v.Secret);
        using var fromChars = new FletPassphrase(v.Secret.ToCharArray());
        using var secure = new System.Security.SecureString();
        foreach (char c in v.Secret) secure.AppendChar(c);
        using var fromSecure = new FletPassphrase(secure);
        using var fromUtf8 = FletPassphrase.FromUtf8(Encoding.UTF8.GetBytes(v.Secret));

        Assert.Equal(Encoding.UTF8.GetByteCount(v.Secret), fromString.Utf8Length);
        using FletKey expected = fromString.DeriveKey(salt, Iterations);
        foreach (FletPassphrase p in new[] { fromChars, fromSecure, fromUtf8 })
        {
            using FletKey key = p.DeriveKey(salt, Iterations);
            Assert.Equal(expected.KeyBytes, key.KeyBytes);
        }
    }
}
