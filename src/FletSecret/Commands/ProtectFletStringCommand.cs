using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using FletSecret.Cipher;

namespace FletSecret.Commands;

/// <summary>Encrypts strings into Flet tokens, as flet.security.encrypt (or encrypt_aes_gcm_256) does.</summary>
[Cmdlet(VerbsSecurity.Protect, "FletString", DefaultParameterSetName = DefaultKeySet)]
[OutputType(typeof(string))]
public sealed class ProtectFletStringCommand : FletKeyCommandBase
{
    private Lazy<Task<FletKey>>? _sharedKey;
    private int _index;

    /// <summary>The text to encrypt: strings or SecureStrings.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PlainText")]
    [AllowEmptyCollection]
    public StringOrSecureString?[] InputObject { get; set; } = Array.Empty<StringOrSecureString>();

    /// <summary>PBKDF2 iterations: 600000 for Flet 0.27.5 and later, 100000 for older Flet.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
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
        if (!MyInvocation.ExpectingInput) SetTotal(InputObject.Length);
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (StringOrSecureString? item in InputObject)
        {
            int index = _index++;
            Submit(() => EncryptAsync(item, index));
        }
    }

    private async Task<ItemResult> EncryptAsync(StringOrSecureString? item, int index)
    {
        // The target names the item by position: the plaintext itself must never travel in an error record.
        string target = $"InputObject[{index}]";
        if (item is null)
        {
            var error = new ErrorRecord(new ArgumentNullException(nameof(InputObject)), "FletSecret.NullInput",
                ErrorCategory.InvalidArgument, target)
            {
                ErrorDetails = new ErrorDetails($"Item {index} is null; give a string or a SecureString."),
            };
            return new ItemResult(null, error);
        }

        try
        {
            if (_sharedKey is not null) return new ItemResult(Seal(await _sharedKey.Value.ConfigureAwait(false), item), null);
            using FletKey key = await Deriver.CreateKeyAsync(Iterations).ConfigureAwait(false);
            return new ItemResult(Seal(key, item), null);
        }
        catch (FletTokenException e)
        {
            return Failure(e, target, Iterations.ToString());
        }
    }

    // Each GCM token draws a fresh random nonce inside EncryptAesGcm256, also under the one key of -ReuseSalt.
    private string Seal(FletKey key, StringOrSecureString item) => Algorithm == FletAlgorithm.AesGcm
        ? (item.Secure is not null ? key.EncryptAesGcm256(item.Secure) : key.EncryptAesGcm256(item.Text!))
        : (item.Secure is not null ? key.Encrypt(item.Secure) : key.Encrypt(item.Text!));

    internal override string DescribeTotals() =>
        _sharedKey is null ? "Derived one key per item." : "Derived one key for the call (-ReuseSalt).";

    internal override void DisposeKeys() => DisposeDerivedKey(_sharedKey);
}
