using System;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;

namespace FletSecret.Cipher.Tests;

/// <summary>FletTextFile finds tokens by shape and rewrites only them; AtomicFile replaces a file in one rename.</summary>
public sealed class TextFileTests
{
    private static readonly FletPassphrase Passphrase = new("scanner key");
    private static readonly FletKey Key = Passphrase.CreateKey(1000);
    private static readonly string Fernet1 = Key.Encrypt("one"), Fernet2 = Key.Encrypt("two"), Gcm = Key.EncryptAesGcm256("three");

    private static string Env(string a, string b) =>
        "# app secrets\r\nAPI_TOKEN=" + a + "\r\nPLAIN=hello world\r\n\r\n  DB = \"" + b + "\" # quoted\r\n";

    [Fact]
    public void Finds_the_tokens_of_an_env_file_with_their_lines_and_rewrites_only_them()
    {
        byte[] bytes = Encoding.UTF8.GetBytes(Env(Fernet1, Gcm));
        FletTextFile file = FletTextFile.Parse(bytes);

        Assert.Equal(new[] { Fernet1, Gcm }, file.Tokens.Select(t => t.Token));
        Assert.Equal(new[] { 2, 5 }, file.Tokens.Select(t => t.Line));
        // As names: Mono's xunit sees an enum array as the int array it is underneath.
        Assert.Equal(new[] { "Fernet", "AesGcm" }, file.Tokens.Select(t => t.Algorithm.ToString()));

        // A replacement of another length (another pair) shifts what follows and nothing else.
        byte[] rewritten = file.Replace(new[] { Gcm, Fernet2 });
        Assert.Equal(Encoding.UTF8.GetBytes(Env(Gcm, Fernet2)), rewritten);
    }

    [Theory]
    [InlineData("utf-8-bom")]
    [InlineData("utf-16le")]
    [InlineData("utf-16be")]
    [InlineData("utf-32le")]
    public void Keeps_the_encoding_and_byte_order_mark(string name)
    {
        Encoding encoding = name switch
        {
            "utf-8-bom" => new UTF8Encoding(true),
            "utf-16le" => new UnicodeEncoding(false, true),
            "utf-16be" => new UnicodeEncoding(true, true),
            _ => new UTF32Encoding(false, true),
        };
        string Text(string token) => "ключ: " + token + "\n# 密码 🙂\n";
        byte[] bytes = encoding.GetPreamble().Concat(encoding.GetBytes(Text(Fernet1))).ToArray();
        FletTextFile file = FletTextFile.Parse(bytes);
        Assert.Equal(Fernet1, Assert.Single(file.Tokens).Token);
        byte[] expected = encoding.GetPreamble().Concat(encoding.GetBytes(Text(Gcm))).ToArray();
        Assert.Equal(expected, file.Replace(new[] { Gcm }));
    }

    [Fact]
    public void A_file_without_tokens_is_given_back_byte_for_byte()
    {
        byte[] bytes = new byte[] { 0xFF, 0x00, 0x80, (byte)'\n', 0xC3 }.Concat(Encoding.UTF8.GetBytes("a=b\r\n")).ToArray();
        FletTextFile file = FletTextFile.Parse(bytes);
        Assert.Empty(file.Tokens);
        Assert.Equal(bytes, file.Replace(Array.Empty<string>()));
    }

    [Fact]
    public void Look_alikes_that_are_no_token_are_left_alone()
    {
        string random64Unpadded = Base64Url(Enumerable.Range(0, 64).Select(i => (byte)(i * 37 + 11)).ToArray()).TrimEnd('=');
        string[] notTokens =
        {
            "x" + Fernet1,                              // part of a longer word
            Fernet1 + "x",
            Fernet1.Substring(0, Fernet1.Length - 8),    // cut short
            Fernet1 + "=",                               // more '=' than base64 has
            "+" + Gcm,                                   // inside standard base64
            Gcm + "/abc",
            "eyJhbGciOiJIUzI1NiJ9." + Gcm + ".c2ln",     // one part of a JWT
            random64Unpadded,                            // 86 characters: no padded encoding is that long
            new string('A', 200),                        // a placeholder: decodes to zeros, no random salt or nonce
            new string('x', 88),                         // another placeholder, of a GCM token's length
            Base64Url(Encoding.ASCII.GetBytes(Fernet1)), // encoded again, as a Kubernetes Secret's data holds it
            Base64Url(Encoding.ASCII.GetBytes(Gcm)),
        };
        foreach (string text in notTokens)
        {
            FletTextFile file = FletTextFile.Parse(Encoding.ASCII.GetBytes("K=" + text + "\n"));
            Assert.True(file.Tokens.Count == 0, $"taken for a token: {text}");
        }
    }

    [Fact]
    public void Hex_and_single_case_secrets_of_a_tokens_length_are_left_alone()
    {
        // What people put beside the tokens in a .env: FLET_SECRET_KEY from `openssl rand -hex 48` or token_hex(64),
        // a SHA-384 or SHA-512 digest, a lowercase random id, a passphrase of words. Decoded as base64, hex spreads
        // over enough byte values to pass the salt-and-nonce test, so such a value was taken for an AES-GCM token and
        // every rotation of the file was refused.
        var random = new Random(21);
        string Hex(int bytes, bool upper)
        {
            var data = new byte[bytes];
            random.NextBytes(data);
            string hex = BitConverter.ToString(data).Replace("-", string.Empty);
            return upper ? hex : hex.ToLowerInvariant();
        }
        string Drawn(string alphabet, int length) => new(Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
        string[] notTokens =
        {
            Hex(48, upper: false), Hex(64, upper: false), Hex(48, upper: true), Hex(64, upper: true), Hex(44, upper: false),
            Drawn("abcdefghijklmnopqrstuvwxyz0123456789", 88), Drawn("abcdefghijklmnopqrstuvwxyz0123456789_-", 96),
            Drawn("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", 92),
            "correct-horse-battery-staple-and-a-few-more-words-to-make-a-long-passphrase-for-the-flet-app",
        };
        foreach (string text in notTokens)
        {
            Assert.True(text.Length >= FletTextFile.MinTokenLength && text.Length % 4 == 0, $"not a token's length: {text}");
            FletTextFile file = FletTextFile.Parse(Encoding.ASCII.GetBytes("FLET_SECRET_KEY=" + text + "\n"));
            Assert.True(file.Tokens.Count == 0, $"taken for a token: {text}");
        }
    }

    [Fact]
    public void Every_aes_gcm_token_is_found_whatever_its_salt_nonce_and_length()
    {
        // The shape test must never pass over a real token (it would stay under the old key): 2000 tokens, 500 salts.
        for (int k = 0; k < 500; k++)
        {
            using FletKey key = Passphrase.CreateKey(1);
            string[] tokens = Enumerable.Range(0, 4).Select(i => key.EncryptAesGcm256(new string('p', k % 7 + i * 13))).ToArray();
            FletTextFile file = FletTextFile.Parse(Encoding.ASCII.GetBytes(string.Join("\n", tokens.Select(t => "K=" + t))));
            Assert.Equal(tokens, file.Tokens.Select(t => t.Token));
        }
    }

    [Fact]
    public void Padded_random_bytes_with_the_aes_gcm_shape_are_taken_for_a_token()
    {
        // 64 random bytes as urlsafe_b64encode writes them cannot be told from an AES-GCM token of an empty plaintext
        // under an unknown key: the scanner reports them, and a rotation must then refuse the file (documented).
        string padded = Base64Url(Enumerable.Range(0, 64).Select(i => (byte)(i * 37 + 11)).ToArray());
        Assert.Equal(88, padded.Length);
        FletTokenMatch match = Assert.Single(FletTextFile.Parse(Encoding.ASCII.GetBytes("K=" + padded)).Tokens);
        Assert.Equal(FletAlgorithm.AesGcm, match.Algorithm);
    }

    [Fact]
    public void Tokens_in_json_yaml_and_csv_are_found()
    {
        string text = "{\"a\":\"" + Fernet1 + "\",\"b\":[\"" + Gcm + "\"]}\nkey: '" + Fernet2 + "'\nname," + Fernet1 + ",x\n";
        FletTextFile file = FletTextFile.Parse(Encoding.UTF8.GetBytes(text));
        Assert.Equal(new[] { Fernet1, Gcm, Fernet2, Fernet1 }, file.Tokens.Select(t => t.Token));
        Assert.Equal(new[] { 1, 1, 2, 3 }, file.Tokens.Select(t => t.Line));
    }

    [Fact]
    public void Lines_are_counted_as_editors_count_them_whatever_the_line_endings()
    {
        // A lone "\r" ends a line too (a file from classic Mac OS or a mixed one): the error must name the right line.
        string text = "A=1\rB=" + Fernet1 + "\r\nC=x\n\rD=" + Gcm + "\r\r\nE=" + Fernet2;
        FletTextFile file = FletTextFile.Parse(Encoding.ASCII.GetBytes(text));
        Assert.Equal(new[] { 2, 5, 7 }, file.Tokens.Select(t => t.Line));
    }

    [Fact]
    public void A_replacement_count_or_text_that_does_not_fit_is_refused()
    {
        FletTextFile file = FletTextFile.Parse(Encoding.UTF8.GetBytes(Env(Fernet1, Gcm)));
        Assert.Throws<ArgumentException>(() => file.Replace(new[] { Fernet2 }));
        Assert.Throws<ArgumentException>(() => file.Replace(new[] { Fernet2, "not\nbase64" }));
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).Replace('+', '-').Replace('/', '_');

    private static string NewDirectory()
    {
        string directory = Path.Combine(Path.GetTempPath(), "fletsecret-atomic-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return directory;
    }

    [Fact]
    public void Atomic_replace_writes_the_new_content_and_leaves_no_temporary_file()
    {
        string directory = NewDirectory();
        try
        {
            string path = Path.Combine(directory, "app.env");
            byte[] old = Encoding.UTF8.GetBytes("old"), fresh = Encoding.UTF8.GetBytes("new content");
            File.WriteAllBytes(path, old);
            AtomicFile.Replace(path, old, fresh);
            Assert.Equal(fresh, File.ReadAllBytes(path));
            Assert.Equal(new[] { path }, Directory.GetFiles(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Atomic_replace_refuses_a_file_that_changed_since_it_was_read()
    {
        string directory = NewDirectory();
        try
        {
            string path = Path.Combine(directory, "app.env");
            File.WriteAllBytes(path, Encoding.UTF8.GetBytes("changed by someone else"));
            Assert.Throws<FileChangedException>(() => AtomicFile.Replace(path, Encoding.UTF8.GetBytes("what was read"), Encoding.UTF8.GetBytes("new")));
            Assert.Equal("changed by someone else", File.ReadAllText(path));
            Assert.Equal(new[] { path }, Directory.GetFiles(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

#if NET
    [Fact]
    public void Atomic_replace_keeps_unix_permissions()
    {
        if (OperatingSystem.IsWindows()) return; // Windows: File.Replace keeps the file's access rules
        string directory = NewDirectory();
        try
        {
            string path = Path.Combine(directory, "secret.env");
            byte[] old = Encoding.UTF8.GetBytes("old");
            File.WriteAllBytes(path, old);
            const UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
            File.SetUnixFileMode(path, mode);
            AtomicFile.Replace(path, old, Encoding.UTF8.GetBytes("new"));
            Assert.Equal(mode, File.GetUnixFileMode(path));
            Assert.Equal("new", File.ReadAllText(path));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Atomic_replace_keeps_the_owner_and_group_where_this_user_may()
    {
        // Run as root (sudo, a deployment job) on an app's .env: the new file was root's, and the app, which reads its
        // file as its owner or through the group (0640 app:www-data), could no longer read its secrets.
        if (OperatingSystem.IsWindows() || Run("id", "-u") != "0") return; // only root may give a file to another user
        string directory = NewDirectory();
        try
        {
            string path = Path.Combine(directory, "app.env");
            byte[] old = Encoding.UTF8.GetBytes("old");
            File.WriteAllBytes(path, old);
            const UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
            File.SetUnixFileMode(path, mode);
            Assert.Equal(string.Empty, Run("chown", $"65534:65534 {path}"));
            AtomicFile.Replace(path, old, Encoding.UTF8.GetBytes("new"));
            Assert.Equal("65534:65534", Run("stat", $"-c %u:%g {path}"));
            Assert.Equal(mode, File.GetUnixFileMode(path));
            Assert.Equal("new", File.ReadAllText(path));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Atomic_replace_of_a_symbolic_link_replaces_the_file_it_leads_to()
    {
        if (OperatingSystem.IsWindows()) return; // creating links needs a privilege there
        string directory = NewDirectory();
        try
        {
            string real = Path.Combine(directory, "real.env"), link = Path.Combine(directory, "link.env");
            byte[] old = Encoding.UTF8.GetBytes("old");
            File.WriteAllBytes(real, old);
            File.CreateSymbolicLink(link, real);
#if LIBRARY_NETSTANDARD
            Assert.Throws<IOException>(() => AtomicFile.Replace(link, old, Encoding.UTF8.GetBytes("new")));
            Assert.Equal("old", File.ReadAllText(real));
#else
            AtomicFile.Replace(link, old, Encoding.UTF8.GetBytes("new"));
            Assert.Equal("new", File.ReadAllText(real));
            Assert.NotNull(new FileInfo(link).LinkTarget);
#endif
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
#else
    [Fact]
    public void Atomic_replace_keeps_unix_permissions_on_mono()
    {
        if (Path.DirectorySeparatorChar == '\\') return; // Windows: File.Replace keeps the file's access rules
        string directory = NewDirectory();
        try
        {
            string path = Path.Combine(directory, "secret.env");
            byte[] old = Encoding.UTF8.GetBytes("old");
            File.WriteAllBytes(path, old);
            Run("chmod", "640 " + path);
            AtomicFile.Replace(path, old, Encoding.UTF8.GetBytes("new"));
            Assert.Equal("640", Run("stat", "-c %a " + path));
            Assert.Equal("new", File.ReadAllText(path));
            Assert.Equal(new[] { path }, Directory.GetFiles(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
#endif

    private static string Run(string command, string arguments)
    {
        var info = new System.Diagnostics.ProcessStartInfo(command, arguments) { UseShellExecute = false, RedirectStandardOutput = true };
        using var process = System.Diagnostics.Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return output;
    }
}
