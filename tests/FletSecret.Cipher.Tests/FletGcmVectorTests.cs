using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Xunit;

namespace FletSecret.Cipher.Tests;

/// <summary>The tokens Python Flet's encrypt_aes_gcm_256 made (Vectors/flet-aes-gcm/vectors.json), byte for byte.</summary>
public sealed class FletGcmVectorTests
{
    public static TheoryData<int> All => new(Enumerable.Range(0, Vectors.FletGcm.Value.Count));

    public static TheoryData<int> Legacy =>
        new(Enumerable.Range(0, Vectors.FletGcm.Value.Count).Where(i => Vectors.FletGcm.Value[i].Iterations == FletSecurity.LegacyIterations));

    [Fact]
    public void The_vector_file_has_both_iteration_counts_and_long_keys()
    {
        var cases = Vectors.FletGcm.Value;
        Assert.Equal(13, cases.Count);
        Assert.Contains(cases, c => c.Iterations == FletSecurity.DefaultIterations);
        Assert.Contains(cases, c => c.Iterations == FletSecurity.LegacyIterations);
        Assert.Contains(cases, c => Encoding.UTF8.GetByteCount(c.Secret) > 64); // longer than an HMAC block
        Assert.All(cases, c => Assert.Equal(64, c.Nonce.Length));
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Derives_the_keys_and_makes_exactly_the_token(int index)
    {
        FletGcmVector v = Vectors.FletGcm.Value[index];
        using var passphrase = new FletPassphrase(v.Secret);
        using FletKey key = passphrase.DeriveKey(Codec.Hex(v.Salt), v.Iterations);

        Assert.Equal(v.FernetKey, Codec.B64Url(key.KeyBytes));
        Assert.Equal(v.AesKeyAscii, Encoding.ASCII.GetString(FletAesGcm.DeriveAesKey(key.KeyBytes)));

        byte[] plaintext = Encoding.UTF8.GetBytes(v.Plaintext);
        Assert.Equal(v.Token, key.EncryptAesGcm256(plaintext, Codec.Hex(v.Nonce)));
        // The same token through the software GHASH multiply.
        Assert.Equal(v.Token, FletAesGcm.Encrypt(key.KeyBytes, key.GetSalt(), plaintext.Length,
            (buffer, offset) => Buffer.BlockCopy(plaintext, 0, buffer, offset, plaintext.Length), Codec.Hex(v.Nonce), GHashEngine.Software));

        Assert.Equal(v.Plaintext, key.DecryptAesGcm256(v.Token));
        Assert.Equal(plaintext, key.DecryptAesGcm256ToBytes(v.Token));
        Assert.Equal(v.Plaintext, new string(key.DecryptAesGcm256ToChars(v.Token)));
        using (ParsedToken parsed = Fernet.Parse(v.Token, FletAlgorithm.AesGcm))
        {
            int count = FletAesGcm.Decrypt(key.KeyBytes, parsed, null, GHashEngine.Software);
            Assert.Equal(plaintext, parsed.Buffer.AsSpan(parsed.PlaintextOffset, count).ToArray());
        }
        // Read without being told which pair made it, as Unprotect-FletString reads.
        Assert.Equal(v.Plaintext, Internals.DecryptEither(key, v.Token));
    }

    [Theory]
    [MemberData(nameof(All))]
    public void One_shot_decrypt_gives_exactly_the_plaintext(int index)
    {
        FletGcmVector v = Vectors.FletGcm.Value[index];
        string plaintext = FletSecurity.DecryptAesGcm256(v.Token, v.Secret, v.Iterations);
        Assert.Equal(Encoding.UTF8.GetBytes(v.Plaintext), Encoding.UTF8.GetBytes(plaintext));
    }

    [Theory]
    [MemberData(nameof(All))]
    public void Token_info_says_aes_gcm_with_salt_nonce_and_size_and_no_time(int index)
    {
        FletGcmVector v = Vectors.FletGcm.Value[index];
        FletTokenInfo info = FletTokenInfo.Parse(v.Token);
        Assert.Equal(FletAlgorithm.AesGcm, info.Algorithm);
        Assert.Equal(v.Salt, info.SaltHex);
        Assert.Equal(v.Nonce, info.NonceHex);
        Assert.Null(info.Timestamp);
        Assert.Equal(0UL, info.UnixTimeSeconds);
        int utf8 = Encoding.UTF8.GetByteCount(v.Plaintext);
        Assert.Equal(utf8, info.CiphertextLength);
        Assert.Equal(utf8, info.MinPlaintextBytes);
        Assert.Equal(utf8, info.MaxPlaintextBytes);
    }

    [Fact]
    public void Token_info_says_fernet_for_every_fernet_vector()
    {
        foreach (FletVector v in Vectors.Flet.Value)
        {
            FletTokenInfo info = FletTokenInfo.Parse(v.Token);
            Assert.Equal(FletAlgorithm.Fernet, info.Algorithm);
            Assert.Null(info.Nonce);
            Assert.NotNull(info.Timestamp);
        }
    }

    [Theory]
    [MemberData(nameof(Legacy))]
    public void A_100000_iteration_token_fails_authentication_at_600000(int index)
    {
        FletGcmVector v = Vectors.FletGcm.Value[index];
        TokenAssert.Fails(FletTokenError.AuthenticationFailed, () => FletSecurity.DecryptAesGcm256(v.Token, v.Secret));
    }

    [Fact]
    public void Each_pair_refuses_the_others_token()
    {
        FletGcmVector gcm = Vectors.FletGcm.Value.First(c => c.Iterations == FletSecurity.LegacyIterations);
        FletVector fernet = Vectors.Flet.Value.First(c => c.Iterations == FletSecurity.LegacyIterations);
        // flet.security.decrypt cannot read a GCM token either: not a Fernet token inside.
        TokenAssert.Fails(FletTokenError.InvalidFormat, () => FletSecurity.Decrypt(gcm.Token, gcm.Secret, gcm.Iterations));
        TokenAssert.Fails(FletTokenError.AuthenticationFailed, () => FletSecurity.DecryptAesGcm256(fernet.Token, fernet.Secret, fernet.Iterations));
    }

    [Fact]
    public void A_maximum_age_on_a_gcm_token_is_an_error_not_a_pass()
    {
        FletGcmVector v = Vectors.FletGcm.Value.First(c => c.Iterations == FletSecurity.LegacyIterations);
        using var passphrase = new FletPassphrase(v.Secret);
        using FletKey key = passphrase.DeriveKey(Codec.Hex(v.Salt), v.Iterations);
        var e = TokenAssert.Fails(FletTokenError.NoTimestamp, () => Internals.DecryptEither(key, v.Token, TimeSpan.FromDays(3650)));
        Assert.Contains("no time", e.Message);
        Assert.Equal(v.Plaintext, Internals.DecryptEither(key, v.Token)); // the token was not spent by the refusal
    }

    [Fact]
    public void A_thousand_tokens_under_one_key_have_distinct_nonces_and_all_decrypt()
    {
        using var passphrase = new FletPassphrase("one key, many tokens");
        using FletKey key = passphrase.CreateKey(1);
        var nonces = new HashSet<string>();
        for (int i = 0; i < 1000; i++)
        {
            string token = key.EncryptAesGcm256("item " + i);
            FletTokenInfo info = FletTokenInfo.Parse(token);
            Assert.Equal(key.GetSalt(), info.Salt);
            Assert.True(nonces.Add(info.NonceHex!), $"nonce repeated at token {i}");
            Assert.Equal("item " + i, key.DecryptAesGcm256(token));
        }
        Assert.Equal(1000, nonces.Count);
    }

    [Fact]
    public void Round_trips_through_every_form()
    {
        using var passphrase = new FletPassphrase("forms");
        using FletKey key = passphrase.CreateKey(1);
        const string Text = "пароль 密码 🙂 e\u0301 nul\0";
        using var secure = new System.Security.SecureString();
        foreach (char c in Text) secure.AppendChar(c);
        foreach (string token in new[] { key.EncryptAesGcm256(Text), key.EncryptAesGcm256(secure), key.EncryptAesGcm256(Encoding.UTF8.GetBytes(Text)) })
        {
            Assert.Equal(Text, key.DecryptAesGcm256(token));
            using var back = key.DecryptAesGcm256ToSecureString(token);
            Assert.Equal(Text.Length, back.Length);
        }
        Assert.Equal(Text, FletSecurity.DecryptAesGcm256(FletSecurity.EncryptAesGcm256(Text, "forms", 2), "forms", 2));
        Assert.Equal("", passphrase.DecryptAesGcm256(passphrase.EncryptAesGcm256("", 3), 3));
    }
}
