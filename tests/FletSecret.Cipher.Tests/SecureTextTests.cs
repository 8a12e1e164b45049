using System.Security;
using Xunit;

namespace FletSecret.Cipher.Tests;

/// <summary>Text read from SecureStrings: one copy, its own length, and tokens read from characters.</summary>
public class SecureTextTests
{
    private static SecureString Secure(string text)
    {
        var secure = new SecureString();
        foreach (char c in text) secure.AppendChar(c);
        return secure;
    }

    [Fact]
    public void A_SecureString_with_a_NUL_character_is_read_whole()
    {
        using SecureString secure = Secure("ab\0cd é");
        Assert.Equal(Fernet.StrictUtf8.GetBytes("ab\0cd é"), TextCodec.ToUtf8(secure, "plaintext"));
        Assert.Equal("ab\0cd é".ToCharArray(), TextCodec.ToChars(secure));
    }

    [Fact]
    public void An_empty_SecureString_gives_no_bytes()
    {
        using var secure = new SecureString();
        Assert.Empty(TextCodec.ToUtf8(secure, "plaintext"));
        Assert.Empty(TextCodec.ToChars(secure));
    }

    [Fact]
    public void A_token_read_from_characters_parses_as_the_same_token_read_from_a_string()
    {
        using var passphrase = new FletPassphrase("chars");
        string token = passphrase.Encrypt("text", 1);
        FletTokenInfo fromString = FletTokenInfo.Parse(token);
        FletTokenInfo fromChars = FletTokenInfo.Parse(token.ToCharArray());
        Assert.Equal(fromString.SaltHex, fromChars.SaltHex);
        Assert.Equal(fromString.UnixTimeSeconds, fromChars.UnixTimeSeconds);
        Assert.Equal(fromString.CiphertextLength, fromChars.CiphertextLength);

        FletTokenException refused = Assert.Throws<FletTokenException>(() => FletTokenInfo.Parse("gAAAA*".ToCharArray()));
        Assert.Equal(FletTokenError.InvalidFormat, refused.Error);
    }
}
