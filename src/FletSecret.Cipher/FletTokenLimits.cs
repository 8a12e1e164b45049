namespace FletSecret.Cipher;

/// <summary>Size limits, so that a huge input ends in a clear error instead of exhausting memory.</summary>
public static class FletTokenLimits
{
    /// <summary>The largest plaintext, in UTF-8 bytes, that is encrypted or decrypted: 64 MiB.</summary>
    public const int MaxPlaintextBytes = 64 * 1024 * 1024;

    /// <summary>The largest token, in characters, that is read: the length of a token of <see cref="MaxPlaintextBytes"/>.</summary>
    public static readonly int MaxTokenLength =
        Base64Url.EncodedLength(Fernet.SaltSize + Base64Url.EncodedLength(Fernet.PayloadSize(MaxPlaintextBytes)));
}
