using System;
using System.Management.Automation;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using FletSecret.Cipher;

namespace FletSecret.Commands;

/// <summary>Encrypts strings into Flet tokens, as flet.security.encrypt (or encrypt_aes_gcm_256) does.</summary>
[Cmdlet(VerbsSecurity.Protect, "FletString", DefaultParameterSetName = DefaultKeySet)]
[OutputType(typeof(string))]
public sealed class ProtectFletStringCommand : FletKeyCommandBase
{
    private static readonly string[] PropertyNames = { "InputObject", "PlainText" };
    private const string Wanted = "a string or a SecureString";

    private Lazy<Task<FletKey>>? _sharedKey;
    private int _index;

    /// <summary>The text to encrypt: strings or SecureStrings (or objects with a PlainText or InputObject property).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PlainText")]
    [AllowNull]
    [AllowEmptyCollection]
    public object?[]? InputObject { get; set; } = Array.Empty<object>();

    /// <summary>The passphrase as a SecureString.</summary>
    [Parameter(Mandatory = true, ParameterSetName = KeySet)]
    [Alias("SecretKey", "SecureKey")]
    public SecureString? Key { get; set; }

    /// <summary>The name of an environment variable that holds the passphrase.</summary>
    [Parameter(Mandatory = true, ParameterSetName = KeyEnvironmentVariableSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(EnvironmentVariableCompleter))]
    public string? KeyEnvironmentVariable { get; set; }

    /// <summary>The literal path of a file that holds the passphrase.</summary>
    [Parameter(Mandatory = true, ParameterSetName = KeyFileSet)]
    [ValidateNotNullOrEmpty]
    public string? KeyFile { get; set; }

    internal override SecureString?[]? KeyValues => Key is null ? null : new[] { Key };
    internal override string?[]? KeyEnvironmentVariableValues => KeyEnvironmentVariable is null ? null : new[] { KeyEnvironmentVariable };
    internal override string?[]? KeyFileValues => KeyFile is null ? null : new[] { KeyFile };

    /// <summary>PBKDF2 iterations: 600000 for Flet 0.27.5 and later, 100000 for older Flet.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    [ArgumentCompleter(typeof(IterationsCompleter))]
    public int Iterations { get; set; } = FletSecurity.DefaultIterations;

    /// <summary>One salt and one key derivation for the whole call.</summary>
    [Parameter]
    public SwitchParameter ReuseSalt { get; set; }

    /// <summary>Which of flet.security's pairs to make tokens for: Fernet (encrypt, the default) or AesGcm (encrypt_aes_gcm_256).</summary>
    [Parameter]
    public FletAlgorithm Algorithm { get; set; } = FletAlgorithm.Fernet;

    internal override string Activity => "Encrypting Flet tokens";

    internal override string DescribeSettings() =>
        $"Algorithm: {Algorithm}. Iterations: {Iterations}. Salt: {(ReuseSalt ? "one for the whole call (-ReuseSalt)" : "a new one per item")}." +
        (Algorithm == FletAlgorithm.AesGcm ? " Nonce: a new random one per item." : string.Empty);

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        if (ReuseSalt)
        {
            _sharedKey = new Lazy<Task<FletKey>>(() => Deriver.CreateKeyAsync(Iterations), LazyThreadSafetyMode.ExecutionAndPublication);
        }
        if (!MyInvocation.ExpectingInput) SetTotal(PipelineInput.Items(InputObject).Length);
    }

    /// <summary>
    /// Reads each item now, on the pipeline thread: a SecureString is copied to UTF-8 here, so a producer that reuses
    /// or disposes it after writing it cannot change what is encrypted.
    /// </summary>
    internal override void QueueItems()
    {
        foreach (object? item in PipelineInput.Items(InputObject))
        {
            int index = _index++;
            switch (PipelineInput.Resolve(item, PropertyNames, out string? property))
            {
                case null:
                    Submit(NullInput(index, Wanted));
                    break;
                case string text:
                    Submit(() => EncryptAsync(text, null, index));
                    break;
                case SecureString secure:
                    byte[] utf8;
                    try
                    {
                        utf8 = TextCodec.ToUtf8(secure, "plaintext");
                    }
                    catch (FletTokenException e)
                    {
                        Submit(Failure(e, Target(index), Iterations.ToString()));
                        break;
                    }
                    catch (ObjectDisposedException)
                    {
                        Submit(InvalidInput(index, "is a SecureString that was disposed before Protect-FletString could read it.",
                            "the SecureString before disposing of it (write it, then dispose)"));
                        break;
                    }
                    Submit(() => EncryptAsync(null, utf8, index));
                    break;
                case object other when PipelineInput.IsNumber(other):
                    string number = PipelineInput.ToText(other);
                    Submit(() => EncryptAsync(number, null, index));
                    break;
                case object other when property is not null:
                    // Never PowerShell's text of it: that would encrypt "System.Collections.Hashtable" or "a b" without a word.
                    Submit(InvalidInput(index, $"has a {property} property that is a {PipelineInput.TypeName(other)}, not text.",
                        $"a string or a SecureString in the {property} property (one item per row)"));
                    break;
                case object other:
                    Submit(InvalidInput(index, $"is a {PipelineInput.TypeName(other)}, not text, and has no PlainText or InputObject property.",
                        "a string or a SecureString, or objects with a PlainText column (for example Select-Object @{ Name = 'PlainText'; Expression = { $_.Value } })"));
                    break;
            }
        }
    }

    // The target names the item by position: the plaintext itself must never travel in an error record.
    private static string Target(int index) => $"InputObject[{index}]";

    /// <summary>Encrypts a string, or UTF-8 read from a SecureString (zeroed when the item is done, however it ends).</summary>
    private async Task<ItemResult> EncryptAsync(string? text, byte[]? utf8, int index)
    {
        try
        {
            if (_sharedKey is not null) return new ItemResult(Seal(await _sharedKey.Value.ConfigureAwait(false), text, utf8), null);
            using FletKey key = await Deriver.CreateKeyAsync(Iterations).ConfigureAwait(false);
            return new ItemResult(Seal(key, text, utf8), null);
        }
        catch (FletTokenException e)
        {
            return Failure(e, Target(index), Iterations.ToString());
        }
        finally
        {
            SecureMemory.Zero(utf8);
        }
    }

    // Each GCM token draws a fresh random nonce inside EncryptAesGcm256, also under the one key of -ReuseSalt.
    private string Seal(FletKey key, string? text, byte[]? utf8) => Algorithm == FletAlgorithm.AesGcm
        ? (utf8 is not null ? key.EncryptAesGcm256(utf8) : key.EncryptAesGcm256(text!))
        : (utf8 is not null ? key.Encrypt(utf8) : key.Encrypt(text!));

    internal override string DescribeTotals() =>
        _sharedKey is null ? "Derived one key per item." : "Derived one key for the call (-ReuseSalt).";

    internal override void DisposeKeys() => DisposeDerivedKey(_sharedKey);
}
