using System;
using System.Management.Automation;
using System.Security;
using FletSecret.Cipher;

namespace FletSecret.Commands;

/// <summary>Shows what a token reveals without its key: salt, time and sizes.</summary>
[Cmdlet(VerbsCommon.Get, "FletTokenInfo")]
[OutputType(typeof(FletTokenInfo))]
public sealed class GetFletTokenInfoCommand : PSCmdlet
{
    /// <summary>The Flet tokens to inspect: strings or SecureStrings (or objects with a Token or InputObject property).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Token", "EncryptedData")]
    [AllowNull]
    [AllowEmptyString]
    [AllowEmptyCollection]
    public object?[]? InputObject { get; set; } = Array.Empty<object>();

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        foreach (object? item in PipelineInput.Items(InputObject))
        {
            switch (PipelineInput.Resolve(item, Commands.UnprotectFletStringCommand.PropertyNames))
            {
                case null:
                    WriteObject(FletTokenInfo.Inspect((string?)null, now));
                    break;
                case SecureString secure:
                    // Read as characters, never as a string; the Token property stays empty for it.
                    if (!PipelineInput.WithChars(secure, chars => WriteObject(FletTokenInfo.Inspect(chars, now))))
                    {
                        WriteObject(FletTokenInfo.Unreadable("The SecureString was disposed of before it could be read; write it before disposing of it."));
                    }
                    break;
                case object token:
                    WriteObject(FletTokenInfo.Inspect(token as string ?? PipelineInput.ToText(token), now));
                    break;
            }
        }
    }
}
