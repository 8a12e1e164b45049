namespace FletSecret;

/// <summary>
/// Which of flet.security's pairs a token is for: Fernet (encrypt / decrypt) or AesGcm (encrypt_aes_gcm_256 /
/// decrypt_aes_gcm_256). The cmdlets' own copy of the cipher's enum: PowerShell reads the cmdlets' parameter types
/// when it imports the module, before the cipher assembly can be resolved, so no cipher type appears in a signature.
/// </summary>
public enum FletAlgorithm
{
    /// <summary>flet.security.encrypt / decrypt: a Fernet token after the salt.</summary>
    Fernet,

    /// <summary>flet.security.encrypt_aes_gcm_256 / decrypt_aes_gcm_256: AES-GCM with a 32-byte nonce after the salt.</summary>
    AesGcm,
}

internal static class FletAlgorithmMapping
{
    public static Cipher.FletAlgorithm ToCipher(this FletAlgorithm algorithm) =>
        algorithm == FletAlgorithm.AesGcm ? Cipher.FletAlgorithm.AesGcm : Cipher.FletAlgorithm.Fernet;

    public static FletAlgorithm FromCipher(Cipher.FletAlgorithm algorithm) =>
        algorithm == Cipher.FletAlgorithm.AesGcm ? FletAlgorithm.AesGcm : FletAlgorithm.Fernet;
}
