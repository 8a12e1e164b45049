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
}
