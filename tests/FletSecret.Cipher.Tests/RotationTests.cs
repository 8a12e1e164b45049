using System;
using System.Linq;
using System.Text;
using Xunit;

namespace FletSecret.Cipher.Tests;

/// <summary>FletKey.Rotate: a token re-encrypted under another key keeps its plaintext, pair and Fernet timestamp.</summary>
public sealed class RotationTests
{
    private const int OldIterations = 1000, NewIterations = 1500;

    private static readonly DateTimeOffset Made = new(2024, 2, 29, 12, 34, 56, TimeSpan.Zero);

    [Fact]
    public void A_fernet_token_opens_under_the_new_key_with_its_plaintext_and_timestamp()
    {
        using var oldPassphrase = new FletPassphrase("old key A");
        using var newPassphrase = new FletPassphrase("new key B");
        using FletKey oldKey = oldPassphrase.CreateKey(OldIterations);
        using FletKey newKey = newPassphrase.CreateKey(NewIterations);
        byte[] plaintext = Encoding.UTF8.GetBytes("DATABASE_URL=postgres://ключ 🔑");
        string token = oldKey.Encrypt(plaintext, SecureRandom.Bytes(16), Made);

        string rotated = oldKey.Rotate(token, newKey);

        Assert.NotEqual(token, rotated);
        FletTokenInfo before = FletTokenInfo.Parse(token), after = FletTokenInfo.Parse(rotated);
        Assert.Equal(FletAlgorithm.Fernet, after.Algorithm);
        Assert.Equal(before.UnixTimeSeconds, after.UnixTimeSeconds);
        Assert.Equal(Made, after.Timestamp);
        Assert.Equal(newKey.GetSalt(), after.Salt);
        Assert.Equal(plaintext, newPassphrase.DeriveKey(after.Salt, NewIterations).DecryptToBytes(rotated));
        // The old key no longer opens it: its salt is the new key's.
        TokenAssert.Fails(FletTokenError.AuthenticationFailed, () => oldKey.Decrypt(rotated));
        Assert.Matches(TokenAssert.PaddedBase64UrlPattern, rotated);
    }

    [Fact]
    public void A_fernet_token_whose_inner_layer_holds_a_byte_flet_skips_is_rotated_as_decrypt_opens_it()
    {
        // '.' put into the Fernet text after the salt: Flet's urlsafe_b64decode skips it, so its decrypt (and this key's
        // Decrypt) opens the token, while its shape says AES-GCM.
        using var oldPassphrase = new FletPassphrase("old key A");
        using var newPassphrase = new FletPassphrase("new key B");
        using FletKey oldKey = oldPassphrase.CreateKey(OldIterations);
        using FletKey newKey = newPassphrase.CreateKey(NewIterations);
        string token = oldKey.Encrypt(Encoding.UTF8.GetBytes("skipped inside"), SecureRandom.Bytes(16), Made);
        byte[] outer = Convert.FromBase64String(token.Replace('-', '+').Replace('_', '/'));
        byte[] mutated = outer.Take(19).Concat(new[] { (byte)'.' }).Concat(outer.Skip(19)).ToArray();
        string skipping = Convert.ToBase64String(mutated).Replace('+', '-').Replace('/', '_');
        Assert.Equal("skipped inside", oldKey.Decrypt(skipping));
        Assert.Equal(FletAlgorithm.AesGcm, FletTokenInfo.Parse(skipping).Algorithm);

        string rotated = oldKey.Rotate(skipping, newKey);

        FletTokenInfo after = FletTokenInfo.Parse(rotated);
        Assert.Equal(FletAlgorithm.Fernet, after.Algorithm);
        Assert.Equal(Made, after.Timestamp);
        Assert.Equal("skipped inside", newPassphrase.DeriveKey(after.Salt, NewIterations).Decrypt(rotated));
    }

    [Fact]
    public void An_aes_gcm_token_stays_aes_gcm_with_a_fresh_nonce()
    {
        using var oldPassphrase = new FletPassphrase("old key A");
        using var newPassphrase = new FletPassphrase("new key B");
        using FletKey oldKey = oldPassphrase.CreateKey(OldIterations);
        using FletKey newKey = newPassphrase.CreateKey(NewIterations);
        string token = oldKey.EncryptAesGcm256("gcm secret");

        string rotated = oldKey.Rotate(token, newKey);

        FletTokenInfo before = FletTokenInfo.Parse(token), after = FletTokenInfo.Parse(rotated);
        Assert.Equal(FletAlgorithm.AesGcm, after.Algorithm);
        Assert.NotEqual(before.NonceHex, after.NonceHex);
        Assert.Equal(before.CiphertextLength, after.CiphertextLength);
        Assert.Equal("gcm secret", FletSecurity.DecryptAesGcm256(rotated, "new key B", NewIterations));
    }

    [Fact]
    public void The_same_passphrase_at_a_new_iteration_count_is_a_pure_migration()
    {
        using var passphrase = new FletPassphrase("same key");
        using FletKey legacy = passphrase.CreateKey(OldIterations);
        using FletKey current = passphrase.CreateKey(NewIterations);
        string token = legacy.Encrypt(Encoding.UTF8.GetBytes("migrated"), SecureRandom.Bytes(16), Made);

        string rotated = legacy.Rotate(token, current);

        Assert.Equal("migrated", FletSecurity.Decrypt(rotated, "same key", NewIterations));
        TokenAssert.Fails(FletTokenError.AuthenticationFailed, () => FletSecurity.Decrypt(rotated, "same key", OldIterations));
        Assert.Equal(Made, FletTokenInfo.Parse(rotated).Timestamp);
    }

    [Fact]
    public void An_algorithm_changes_the_pair_and_the_timestamp_follows_the_pair()
    {
        using var passphrase = new FletPassphrase("pair change");
        using FletKey oldKey = passphrase.CreateKey(OldIterations);
        using FletKey newKey = passphrase.CreateKey(NewIterations);
        string fernet = oldKey.Encrypt(Encoding.UTF8.GetBytes("to gcm"), SecureRandom.Bytes(16), Made);
        string gcm = oldKey.EncryptAesGcm256("to fernet");

        string nowGcm = oldKey.Rotate(fernet, newKey, FletAlgorithm.AesGcm);
        DateTimeOffset before = DateTimeOffset.UtcNow.AddSeconds(-1);
        string nowFernet = oldKey.Rotate(gcm, newKey, FletAlgorithm.Fernet);
        DateTimeOffset after = DateTimeOffset.UtcNow.AddSeconds(1);

        Assert.Equal(FletAlgorithm.AesGcm, FletTokenInfo.Parse(nowGcm).Algorithm);
        Assert.Equal("to gcm", FletSecurity.DecryptAesGcm256(nowGcm, "pair change", NewIterations));
        FletTokenInfo info = FletTokenInfo.Parse(nowFernet);
        Assert.Equal(FletAlgorithm.Fernet, info.Algorithm);
        Assert.InRange(info.Timestamp!.Value, before, after); // a GCM token has no time to keep: the time of rotation
        Assert.Equal("to fernet", FletSecurity.Decrypt(nowFernet, "pair change", NewIterations));
    }

    [Fact]
    public void A_wrong_old_key_fails_and_leaves_the_parsed_token_for_the_next_key()
    {
        using var right = new FletPassphrase("right");
        using var wrong = new FletPassphrase("wrong");
        using FletKey rightKey = right.CreateKey(OldIterations);
        using FletKey newKey = right.CreateKey(NewIterations);
        foreach (string token in new[] { rightKey.Encrypt("x"), rightKey.EncryptAesGcm256("x") })
        {
            using ParsedToken parsed = Fernet.Parse(token, algorithm: null);
            // A key of the token's own salt at the wrong iteration count, as a wrong -Iterations entry gives.
            using FletKey wrongKey = wrong.DeriveKey(parsed.CopySalt(), OldIterations);
            TokenAssert.Fails(FletTokenError.AuthenticationFailed, () => wrongKey.Rotate(parsed, newKey, parsed.Algorithm, DateTimeOffset.UtcNow));
            Assert.False(parsed.Opened);
            string rotated = rightKey.Rotate(parsed, newKey, parsed.Algorithm, DateTimeOffset.UtcNow);
            Assert.Equal("x", parsed.Algorithm == FletAlgorithm.AesGcm
                ? FletSecurity.DecryptAesGcm256(rotated, "right", NewIterations)
                : FletSecurity.Decrypt(rotated, "right", NewIterations));
        }
    }

    [Fact]
    public void Plaintext_bytes_that_are_not_utf8_are_kept_bit_for_bit()
    {
        using var passphrase = new FletPassphrase("bytes");
        using FletKey oldKey = passphrase.CreateKey(OldIterations);
        using FletKey newKey = passphrase.CreateKey(NewIterations);
        byte[] bytes = Enumerable.Range(0, 300).Select(i => (byte)(i * 7)).ToArray();
        string rotated = oldKey.Rotate(oldKey.Encrypt(bytes), newKey);
        Assert.Equal(bytes, newKey.DecryptToBytes(rotated));
    }

    [Fact]
    public void The_plaintext_is_zeroed_in_the_token_buffer_once_the_token_is_disposed()
    {
        using var passphrase = new FletPassphrase("zero");
        using FletKey oldKey = passphrase.CreateKey(OldIterations);
        using FletKey newKey = passphrase.CreateKey(NewIterations);
        byte[] plaintext = Encoding.ASCII.GetBytes(new string('P', 64));
        var parsed = Fernet.Parse(oldKey.Encrypt(plaintext), algorithm: null);
        byte[] buffer = parsed.Buffer;
        oldKey.Rotate(parsed, newKey, parsed.Algorithm, DateTimeOffset.UtcNow);
        Assert.Equal(plaintext, buffer.Skip(parsed.PlaintextOffset).Take(64).ToArray()); // decrypted in place...
        parsed.Dispose();
        Assert.All(buffer.Take(parsed.PayloadOffset + parsed.PayloadLength), b => Assert.Equal(0, b)); // ...and zeroed
    }

    [Fact]
    public void A_disposed_new_key_is_refused()
    {
        using var passphrase = new FletPassphrase("disposed");
        using FletKey oldKey = passphrase.CreateKey(OldIterations);
        FletKey newKey = passphrase.CreateKey(NewIterations);
        newKey.Dispose();
        Assert.Throws<ObjectDisposedException>(() => oldKey.Rotate(oldKey.Encrypt("x"), newKey));
    }

    [PythonFact]
    public void Python_tokens_of_both_pairs_rotated_here_open_in_python_under_the_new_key()
    {
        // As on Flet upgrade day: tokens of Flet 0.27.4 and older (100000) and of current Flet (600000) under A,
        // rotated to B at 600000.
        (string Plaintext, int Iterations, FletAlgorithm Pair)[] cases =
        {
            ("legacy fernet 🔑", FletSecurity.LegacyIterations, FletAlgorithm.Fernet),
            ("legacy gcm ключ", FletSecurity.LegacyIterations, FletAlgorithm.AesGcm),
            ("current fernet", FletSecurity.DefaultIterations, FletAlgorithm.Fernet),
            ("", FletSecurity.DefaultIterations, FletAlgorithm.AesGcm),
        };
        var made = PythonFlet.Batch(cases.Select(c => PythonFlet.Encrypt(c.Plaintext, "key A", c.Iterations, c.Pair)));
        Assert.All(made, r => Assert.True(r.Ok, r.Error));

        using var a = new FletPassphrase("key A");
        using var b = new FletPassphrase("key B");
        var rotated = new string[cases.Length];
        for (int i = 0; i < cases.Length; i++)
        {
            string token = made[i].Value!;
            using ParsedToken parsed = Fernet.Parse(token, algorithm: null);
            using FletKey oldKey = a.DeriveKey(parsed.CopySalt(), cases[i].Iterations);
            using FletKey newKey = b.CreateKey(FletSecurity.DefaultIterations);
            rotated[i] = oldKey.Rotate(parsed, newKey, parsed.Algorithm, DateTimeOffset.UtcNow);
            FletTokenInfo before = FletTokenInfo.Parse(token), after = FletTokenInfo.Parse(rotated[i]);
            Assert.Equal(cases[i].Pair, after.Algorithm);
            Assert.Equal(before.UnixTimeSeconds, after.UnixTimeSeconds);
        }

        var opened = PythonFlet.Batch(cases.Select((c, i) => PythonFlet.Decrypt(rotated[i], "key B", FletSecurity.DefaultIterations, c.Pair))
            .Append(PythonFlet.Decrypt(rotated[0], "key A", FletSecurity.LegacyIterations, FletAlgorithm.Fernet)));
        for (int i = 0; i < cases.Length; i++)
        {
            Assert.True(opened[i].Ok, $"python could not decrypt rotated case {i}: {opened[i].Error}");
            Assert.Equal(cases[i].Plaintext, opened[i].Value);
        }
        Assert.False(opened[cases.Length].Ok); // the old key no longer opens it
    }
}
