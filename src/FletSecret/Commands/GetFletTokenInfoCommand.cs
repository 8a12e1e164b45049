using System;
using System.Management.Automation;
using FletSecret.Cipher;

namespace FletSecret.Commands;

/// <summary>Shows what a token reveals without its key: salt, time and sizes.</summary>
[Cmdlet(VerbsCommon.Get, "FletTokenInfo")]
[OutputType(typeof(FletTokenInfo))]
public sealed class GetFletTokenInfoCommand : PSCmdlet
{
    /// <summary>The Flet tokens to inspect.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Token", "EncryptedData")]
    [AllowEmptyString]
    [AllowEmptyCollection]
    public string?[] InputObject { get; set; } = Array.Empty<string>();

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        foreach (string? token in InputObject)
        {
            WriteObject(FletTokenInfo.Inspect(token, now));
        }
    }
}
