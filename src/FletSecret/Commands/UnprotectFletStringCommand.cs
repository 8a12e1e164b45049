using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Management.Automation;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using FletSecret.Cipher;

namespace FletSecret.Commands;

/// <summary>Decrypts Flet tokens of either pair, as flet.security.decrypt and decrypt_aes_gcm_256 do.</summary>
[Cmdlet(VerbsSecurity.Unprotect, "FletString", DefaultParameterSetName = DefaultKeySet)]
[OutputType(typeof(string), typeof(SecureString))]
public sealed class UnprotectFletStringCommand : FletKeyCommandBase
{
    // Tokens that share salt and iteration count share a key: derive it once per call.
    private readonly ConcurrentDictionary<string, Lazy<Task<FletKey>>> _keys = new();
    private string _iterationsText = string.Empty;

    /// <summary>The Flet tokens to decrypt.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Token", "EncryptedData")]
    [AllowEmptyString]
    [AllowEmptyCollection]
    public string?[] InputObject { get; set; } = Array.Empty<string>();

    /// <summary>PBKDF2 iteration counts to try, in order.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ValidateRange(1, int.MaxValue)]
    public int[] Iterations { get; set; } = { FletSecurity.DefaultIterations };

    /// <summary>The Fernet TTL: older tokens are refused.</summary>
    [Parameter]
    [ValidateNonNegativeTimeSpan]
    public TimeSpan MaxAge { get; set; }

    /// <summary>Read every token as this pair's; by default each token's shape tells which pair made it.</summary>
    [Parameter]
    public FletAlgorithm Algorithm { get; set; }

    /// <summary>Output SecureStrings instead of strings.</summary>
    [Parameter]
    public SwitchParameter AsSecureString { get; set; }

    internal override string Activity => "Decrypting Flet tokens";

    private TimeSpan? Ttl => MyInvocation.BoundParameters.ContainsKey(nameof(MaxAge)) ? MaxAge : null;

    private Cipher.FletAlgorithm? ForcedAlgorithm => MyInvocation.BoundParameters.ContainsKey(nameof(Algorithm)) ? Algorithm.ToCipher() : null;

    internal override string DescribeSettings() =>
        $"Algorithm: {(ForcedAlgorithm is not null ? Algorithm.ToString() : "told by each token")}. " +
        $"Iterations tried in order: {_iterationsText}. Maximum age: {(Ttl is TimeSpan t ? t.ToString() : "none")}. " +
        $"Output: {(AsSecureString ? "SecureString" : "String")}.";

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        _iterationsText = string.Join(", ", Iterations);
        base.BeginProcessing();
        if (!MyInvocation.ExpectingInput) SetTotal(InputObject.Length);
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TimeSpan? ttl = Ttl;
        Cipher.FletAlgorithm? algorithm = ForcedAlgorithm;
        foreach (string? token in InputObject)
        {
            Submit(() => DecryptAsync(token, ttl, algorithm));
        }
    }

    private async Task<ItemResult> DecryptAsync(string? token, TimeSpan? ttl, Cipher.FletAlgorithm? algorithm)
    {
        try
        {
            // Both pairs derive the same key from the same salt: the pair is told by the token, not by a second derivation.
            using ParsedToken parsed = Fernet.Parse(token, algorithm);
            // A GCM token has no time to check: refused before any derivation, never passed silently.
            if (ttl is not null && parsed.Algorithm == Cipher.FletAlgorithm.AesGcm) throw FletAesGcm.NoTimestamp();
            DateTimeOffset now = DateTimeOffset.UtcNow;
            FletTokenException? refused = null;
            foreach (int iterations in Iterations)
            {
                FletKey key = await KeyFor(parsed, iterations).ConfigureAwait(false);
                try
                {
                    object output = AsSecureString
                        ? key.Open(parsed, ttl, now, TextCodec.ToSecureString)
                        : key.Open(parsed, ttl, now, TextCodec.ToText);
                    return new ItemResult(output, null);
                }
                catch (FletTokenException e) when (e.Error == FletTokenError.AuthenticationFailed)
                {
                    refused = e; // the next iteration count may fit
                }
            }
            throw refused!;
        }
        catch (FletTokenException e)
        {
            return Failure(e, token, _iterationsText);
        }
    }

    private Task<FletKey> KeyFor(ParsedToken token, int iterations)
    {
        string id = Convert.ToBase64String(token.Buffer, 0, Fernet.SaltSize) + ":" + iterations;
        // The stored Lazy runs at once; its creator waits on it inside this method, so the token is still undisposed.
        return _keys.GetOrAdd(id, _ => new Lazy<Task<FletKey>>(
            () => Deriver.DeriveAsync(token.CopySalt(), iterations), LazyThreadSafetyMode.ExecutionAndPublication)).Value;
    }

    internal override string DescribeTotals() => $"Derived {_keys.Count(k => k.Value.IsValueCreated)} key(s).";

    internal override void DisposeKeys()
    {
        foreach (Lazy<Task<FletKey>> key in _keys.Values) DisposeDerivedKey(key);
        _keys.Clear();
    }
}

/// <summary>Refuses a negative -MaxAge at binding time.</summary>
internal sealed class ValidateNonNegativeTimeSpanAttribute : ValidateArgumentsAttribute
{
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        if (arguments is TimeSpan span && span < TimeSpan.Zero)
            throw new ValidationMetadataException("-MaxAge cannot be negative; give how old a token may be, for example (New-TimeSpan -Days 30).");
    }
}
