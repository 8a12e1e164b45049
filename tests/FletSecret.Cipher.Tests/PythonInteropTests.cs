using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace FletSecret.Cipher.Tests;

/// <summary>
/// Live interop with Python's cryptography package running Flet's encrypt/decrypt (Python/flet_interop.py).
/// Reported skipped, with the reason, where python3 or cryptography is missing.
/// </summary>
public sealed class PythonInteropTests
{
    private readonly ITestOutputHelper _output;

    public PythonInteropTests(ITestOutputHelper output) => _output = output;

    // (secret, plaintext, iterations): a handful, since each derivation costs about 0.2 s on each side.
    private static readonly (string Secret, string Plaintext, int Iterations)[] Cases =
    {
        ("s3cret", "hello", FletSecurity.DefaultIterations),
        ("ключ🔑", "пароль 密码 🙂 e\u0301", FletSecurity.DefaultIterations),
        (" padded ", "line1\nline2\r\n\tnul\0end", FletSecurity.LegacyIterations),
        ("", "", FletSecurity.LegacyIterations),
    };

    [PythonFact]
    public void Python_encrypts_and_this_library_decrypts()
    {
        _output.WriteLine($"cryptography {PythonFlet.CryptographyVersion}; library build {LibraryBuild.TargetFramework}");
        var results = PythonFlet.Batch(Cases.Select(c => PythonFlet.Encrypt(c.Plaintext, c.Secret, c.Iterations)));
        Assert.Equal(Cases.Length, results.Count);
        for (int i = 0; i < Cases.Length; i++)
        {
            Assert.True(results[i].Ok, $"python failed to encrypt case {i}: {results[i].Error}");
            string token = results[i].Value!;
            Assert.Equal(Cases[i].Plaintext, FletSecurity.Decrypt(token, Cases[i].Secret, Cases[i].Iterations));
        }
    }

    [PythonFact]
    public void This_library_encrypts_and_python_decrypts()
    {
        string[] tokens = Cases.Select(c => FletSecurity.Encrypt(c.Plaintext, c.Secret, c.Iterations)).ToArray();
        // Plus one token python must refuse: the right secret at the wrong iteration count.
        var requests = Cases.Select((c, i) => PythonFlet.Decrypt(tokens[i], c.Secret, c.Iterations))
            .Append(PythonFlet.Decrypt(tokens[2], Cases[2].Secret, FletSecurity.LegacyIterations + 1));
        var results = PythonFlet.Batch(requests);
        Assert.Equal(Cases.Length + 1, results.Count);
        for (int i = 0; i < Cases.Length; i++)
        {
            Assert.True(results[i].Ok, $"python failed to decrypt case {i}: {results[i].Error}");
            Assert.Equal(Cases[i].Plaintext, results[i].Value);
        }
        Assert.False(results[Cases.Length].Ok);
        Assert.Equal("InvalidToken", results[Cases.Length].Error);
    }

    // Flet's AES-GCM pair: a key of more than 64 UTF-8 bytes (longer than an HMAC block) among them.
    private static readonly (string Secret, string Plaintext, int Iterations)[] GcmCases =
    {
        ("s3cret", "hello", FletSecurity.DefaultIterations),
        (new string('к', 40) + "🔑", "пароль 密码 🙂 e\u0301", FletSecurity.DefaultIterations),
        (" padded ", "line1\nline2\r\n\tnul\0end" + new string('x', 5000), FletSecurity.LegacyIterations),
        ("", "", FletSecurity.LegacyIterations),
    };

    [PythonFact]
    public void Python_encrypts_aes_gcm_and_this_library_decrypts()
    {
        _output.WriteLine($"cryptography {PythonFlet.CryptographyVersion}; library build {LibraryBuild.TargetFramework}");
        var results = PythonFlet.Batch(GcmCases.Select(c => PythonFlet.Encrypt(c.Plaintext, c.Secret, c.Iterations, FletAlgorithm.AesGcm)));
        Assert.Equal(GcmCases.Length, results.Count);
        for (int i = 0; i < GcmCases.Length; i++)
        {
            Assert.True(results[i].Ok, $"python failed to encrypt case {i}: {results[i].Error}");
            string token = results[i].Value!;
            Assert.Equal(FletAlgorithm.AesGcm, FletTokenInfo.Parse(token).Algorithm);
            Assert.Equal(GcmCases[i].Plaintext, FletSecurity.DecryptAesGcm256(token, GcmCases[i].Secret, GcmCases[i].Iterations));
        }
    }

    [PythonFact]
    public void This_library_encrypts_aes_gcm_and_python_decrypts()
    {
        string[] tokens = GcmCases.Select(c => FletSecurity.EncryptAesGcm256(c.Plaintext, c.Secret, c.Iterations)).ToArray();
        // Plus two python must refuse: the wrong iteration count, and a GCM token given to the Fernet pair.
        var requests = GcmCases.Select((c, i) => PythonFlet.Decrypt(tokens[i], c.Secret, c.Iterations, FletAlgorithm.AesGcm))
            .Append(PythonFlet.Decrypt(tokens[2], GcmCases[2].Secret, FletSecurity.LegacyIterations + 1, FletAlgorithm.AesGcm))
            .Append(PythonFlet.Decrypt(tokens[2], GcmCases[2].Secret, GcmCases[2].Iterations, FletAlgorithm.Fernet));
        var results = PythonFlet.Batch(requests);
        Assert.Equal(GcmCases.Length + 2, results.Count);
        for (int i = 0; i < GcmCases.Length; i++)
        {
            Assert.True(results[i].Ok, $"python failed to decrypt case {i}: {results[i].Error}");
            Assert.Equal(GcmCases[i].Plaintext, results[i].Value);
        }
        Assert.False(results[GcmCases.Length].Ok);
        Assert.Equal("InvalidTag", results[GcmCases.Length].Error);
        Assert.False(results[GcmCases.Length + 1].Ok);
    }

    [PythonFact]
    public void Python_aes_gcm_tokens_under_one_reused_key_read_here_and_back()
    {
        // One derivation here makes many GCM tokens (as -ReuseSalt does); python reads each with its own derivation.
        using var passphrase = new FletPassphrase("reused");
        using FletKey key = passphrase.CreateKey(FletSecurity.LegacyIterations);
        string[] plaintexts = { "a", "b", "" };
        var results = PythonFlet.Batch(plaintexts.Select(p => PythonFlet.Decrypt(key.EncryptAesGcm256(p), "reused", FletSecurity.LegacyIterations, FletAlgorithm.AesGcm)));
        Assert.Equal(plaintexts, results.Select(r => r.Value));
    }
}
