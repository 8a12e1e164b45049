using System;
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
    internal static readonly string[] PropertyNames = { "InputObject", "Token", "EncryptedData" };
    private const string Wanted = "a token, as a string or a SecureString";

    // Tokens that share salt and iteration count share a key while it is held (see KeyRing).
    private KeyRing? _keys;
    private string _iterationsText = string.Empty;
    private int _index;

    /// <summary>The Flet tokens to decrypt: strings or SecureStrings (or objects with a Token or InputObject property).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Token", "EncryptedData")]
    [AllowNull]
    [AllowEmptyString]
    [AllowEmptyCollection]
    public object?[]? InputObject { get; set; } = Array.Empty<object>();

    /// <summary>The passphrase(s) as SecureStrings; each token is opened by the first that authenticates it, in this order.</summary>
    [Parameter(Mandatory = true, ParameterSetName = KeySet)]
    [Alias("SecretKey", "SecureKey")]
    [ValidateNotNullOrEmpty]
    public SecureString[]? Key { get; set; }

    /// <summary>The names of environment variables that hold the passphrase(s), tried in this order.</summary>
    [Parameter(Mandatory = true, ParameterSetName = KeyEnvironmentVariableSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(EnvironmentVariableCompleter))]
    public string[]? KeyEnvironmentVariable { get; set; }

    /// <summary>The literal paths of files that hold the passphrase(s), tried in this order.</summary>
    [Parameter(Mandatory = true, ParameterSetName = KeyFileSet)]
    [ValidateNotNullOrEmpty]
    public string[]? KeyFile { get; set; }

    internal override SecureString?[]? KeyValues => Key;
    internal override string?[]? KeyEnvironmentVariableValues => KeyEnvironmentVariable;
    internal override string?[]? KeyFileValues => KeyFile;

    /// <summary>PBKDF2 iteration counts to try, in order.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ValidateRange(1, int.MaxValue)]
    [ArgumentCompleter(typeof(IterationsCompleter))]
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
        _keys = new KeyRing(Passphrases, KeyPositions, Iterations, Deriver);
        if (!MyInvocation.ExpectingInput) SetTotal(PipelineInput.Items(InputObject).Length);
    }

    /// <summary>
    /// Reads each token now, on the pipeline thread, and parses it at once: a SecureString token is copied to
    /// characters (no string), parsed, and the copy zeroed before this returns.
    /// </summary>
    internal override void QueueItems()
    {
        TimeSpan? ttl = Ttl;
        Cipher.FletAlgorithm? algorithm = ForcedAlgorithm;
        foreach (object? item in PipelineInput.Items(InputObject))
        {
            int index = _index++;
            object? token = PipelineInput.Resolve(item, PropertyNames);
            switch (token)
            {
                case null:
                    Submit(NullInput(index, Wanted));
                    break;
                case SecureString secure:
                    // Parsed before the first await inside Submit, so the characters are read before they are zeroed.
                    if (!PipelineInput.WithChars(secure, chars => Submit(() => DecryptAsync(pair => Fernet.Parse(chars, pair), algorithm, secure, ttl))))
                    {
                        Submit(InvalidInput(index, "is a SecureString that was disposed before Unprotect-FletString could read it.",
                            "the SecureString before disposing of it (write it, then dispose)"));
                    }
                    break;
                default:
                    string text = token as string ?? PipelineInput.ToText(token);
                    Submit(() => DecryptAsync(pair => Fernet.Parse(text, pair), algorithm, text, ttl));
                    break;
            }
        }
    }

    /// <summary>
    /// Parses the token as <paramref name="forced"/>'s pair, or as its shape tells (synchronously, before the first
    /// await, while a SecureString's characters are still there), then opens it with the first iteration count that fits.
    /// </summary>
    private async Task<ItemResult> DecryptAsync(Func<Cipher.FletAlgorithm?, ParsedToken> parse, Cipher.FletAlgorithm? forced, object target, TimeSpan? ttl)
    {
        Cipher.FletAlgorithm? otherPair = null;
        try
        {
            ParsedToken parsedAsForced;
            try
            {
                parsedAsForced = parse(forced);
            }
            catch (FletTokenException e) when (e.Error == FletTokenError.InvalidFormat && forced is not null)
            {
                otherPair = ShapeOf(parse) is Cipher.FletAlgorithm shape && shape != forced ? shape : null;
                throw;
            }
            // Both pairs derive the same key from the same salt: the pair is told by the token, not by a second derivation.
            using ParsedToken parsed = parsedAsForced;
            // Told AES-GCM by its shape, yet perhaps a Fernet token with bytes that Flet's base64 reader skips: read
            // now (a SecureString's characters are gone after the first await) and tried with the same key if GCM fails.
            using ParsedToken? asFernet = forced is null ? Fernet.AlsoAsFernet(parsed, parse) : null;
            // Read as AES-GCM, the buffer still holds the token's bytes after the salt, which tell a Fernet token (a
            // Fernet parse decodes them in place, and fails on an AES-GCM token above).
            if (forced == Cipher.FletAlgorithm.AesGcm && Fernet.Detect(parsed.Buffer, parsed.PayloadOffset + parsed.PayloadLength) == Cipher.FletAlgorithm.Fernet)
                otherPair = Cipher.FletAlgorithm.Fernet;
            // A GCM token has no time to check: refused before any derivation, never passed silently.
            if (ttl is not null && parsed.Algorithm == Cipher.FletAlgorithm.AesGcm && asFernet is null) throw FletAesGcm.NoTimestamp();
            ParsedToken? first = ttl is not null && asFernet is not null ? null : parsed; // with -MaxAge, only the Fernet reading
            DateTimeOffset now = DateTimeOffset.UtcNow;
            try
            {
                object output = await _keys!.OpenAsync(parsed, key =>
                {
                    try
                    {
                        return Task.FromResult(Open(key, first ?? asFernet!, ttl, now));
                    }
                    catch (FletTokenException e) when (e.Error == FletTokenError.AuthenticationFailed && first is not null && asFernet is not null)
                    {
                        return Task.FromResult(Open(key, asFernet, ttl, now)); // the same derived key reads it as Fernet: its HMAC decides
                    }
                }).ConfigureAwait(false);
                return new ItemResult(output, null);
            }
            catch (FletTokenException e) when (e.Error == FletTokenError.AuthenticationFailed && first is null)
            {
                // With -MaxAge, a token whose shape says AES-GCM that no key opens as Fernet gets the AES-GCM error.
                throw FletAesGcm.NoTimestamp();
            }
        }
        catch (FletTokenException e) when (otherPair is Cipher.FletAlgorithm pair)
        {
            // A token of the other pair under a forced -Algorithm: say so, rather than "check the key" or "copy it whole".
            FletAlgorithm shape = FletAlgorithmMapping.FromCipher(pair);
            var wrongPair = new FletTokenException(e.Error,
                $"{e.Message} The token is {Article(pair)} token, while -Algorithm {FletAlgorithmMapping.FromCipher(forced!.Value)} reads every token as {Article(forced.Value)} one.", e);
            return new ItemResult(null, ErrorMapping.ForToken(wrongPair, target,
                $"Leave out -Algorithm (each token's shape tells its pair), or give -Algorithm {shape} for this token."));
        }
        catch (FletTokenException e)
        {
            return Failure(e, target, _iterationsText, Passphrases.Length);
        }
    }

    private object Open(FletKey key, ParsedToken token, TimeSpan? ttl, DateTimeOffset now) =>
        AsSecureString ? key.Open(token, ttl, now, TextCodec.ToSecureString) : key.Open(token, ttl, now, TextCodec.ToText);

    private static string Article(Cipher.FletAlgorithm pair) => pair == Cipher.FletAlgorithm.AesGcm ? "an AES-GCM" : "a Fernet";

    /// <summary>The pair the token's shape tells, or null when it is no token of either pair.</summary>
    private static Cipher.FletAlgorithm? ShapeOf(Func<Cipher.FletAlgorithm?, ParsedToken> parse)
    {
        try
        {
            using ParsedToken parsed = parse(null);
            return parsed.Algorithm;
        }
        catch (FletTokenException)
        {
            return null;
        }
    }

    internal override string DescribeTotals() =>
        _keys is null ? string.Empty : $"Derived {_keys.Held.Derived} key(s), at most {_keys.Held.MostHeld} held at once." + _keys.DescribeOpened("key");

    internal override void DisposeKeys() => _keys?.Clear();
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
