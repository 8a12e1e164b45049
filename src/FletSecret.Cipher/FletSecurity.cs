using System;

namespace FletSecret.Cipher;

/// <summary>
/// One-shot calls that match Python Flet's <c>flet.security.encrypt(plain_text, secret_key)</c> and
/// <c>decrypt(encrypted_data, secret_key)</c>, and its AES-GCM pair <c>encrypt_aes_gcm_256</c> /
/// <c>decrypt_aes_gcm_256</c>. Each call derives a key (the slow part); to encrypt or decrypt many strings, keep a
/// <see cref="FletPassphrase"/> or a <see cref="FletKey"/>.
/// </summary>
public static class FletSecurity
{
    /// <summary>PBKDF2 iterations of Flet 0.27.5 and later.</summary>
    public const int DefaultIterations = 600_000;

    /// <summary>PBKDF2 iterations of Flet 0.1.60 to 0.27.4.</summary>
    public const int LegacyIterations = 100_000;

    /// <summary>Encrypts <paramref name="plainText"/> under <paramref name="secretKey"/> into a Flet token.</summary>
    public static string Encrypt(string plainText, string secretKey, int iterations = DefaultIterations)
    {
        if (plainText is null) throw new ArgumentNullException(nameof(plainText));
        using var passphrase = new FletPassphrase(secretKey);
        return passphrase.Encrypt(plainText, iterations);
    }

    /// <summary>Decrypts a Flet token made under <paramref name="secretKey"/>.</summary>
    public static string Decrypt(string encryptedData, string secretKey, int iterations = DefaultIterations, TimeSpan? maxAge = null)
    {
        using var passphrase = new FletPassphrase(secretKey);
        return passphrase.Decrypt(encryptedData, iterations, maxAge);
    }

    /// <summary>
    /// Encrypts as Flet's <c>encrypt_aes_gcm_256(plain_text, secret_key)</c> does: AES-GCM with a fresh 32-byte nonce,
    /// under a key made from the same PBKDF2 derivation as <see cref="Encrypt"/>.
    /// </summary>
    public static string EncryptAesGcm256(string plainText, string secretKey, int iterations = DefaultIterations)
    {
        if (plainText is null) throw new ArgumentNullException(nameof(plainText));
        using var passphrase = new FletPassphrase(secretKey);
        return passphrase.EncryptAesGcm256(plainText, iterations);
    }

    /// <summary>Decrypts as Flet's <c>decrypt_aes_gcm_256(encrypted_data, secret_key)</c> does.</summary>
    public static string DecryptAesGcm256(string encryptedData, string secretKey, int iterations = DefaultIterations)
    {
        using var passphrase = new FletPassphrase(secretKey);
        return passphrase.DecryptAesGcm256(encryptedData, iterations);
    }

    internal static void CheckIterations(int iterations)
    {
        if (iterations < 1)
            throw new ArgumentOutOfRangeException(nameof(iterations), iterations, "The PBKDF2 iteration count must be 1 or more.");
    }
}
