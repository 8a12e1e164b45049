using System.Management.Automation;
using System.Security;
using FletSecret.Cipher;

namespace FletSecret.Commands;

/// <summary>Makes a strong random secret key for a Flet app: CSPRNG bytes as unpadded base64url.</summary>
[Cmdlet(VerbsCommon.New, "FletSecretKey")]
[OutputType(typeof(SecureString), typeof(string))]
public sealed class NewFletSecretKeyCommand : PSCmdlet
{
    /// <summary>How many random bytes the key holds (the key is about 4/3 as many characters).</summary>
    [Parameter]
    [ValidateRange(FletSecretKeyGenerator.MinimumByteCount, FletSecretKeyGenerator.MaximumByteCount)]
    public int ByteCount { get; set; } = FletSecretKeyGenerator.DefaultByteCount;

    /// <summary>Output the key as a string (to set an environment variable or a CI secret), not a SecureString.</summary>
    [Parameter]
    public SwitchParameter AsPlainText { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        WriteVerbose($"A key of {ByteCount} random bytes from the system's CSPRNG, {FletSecretKeyGenerator.KeyLength(ByteCount)} base64url characters, " +
            $"as a {(AsPlainText ? "string" : "read-only SecureString")}.");
        WriteObject(AsPlainText ? FletSecretKeyGenerator.NewKey(ByteCount) : FletSecretKeyGenerator.NewKeySecureString(ByteCount));
    }
}
