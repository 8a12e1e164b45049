using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Management.Automation;
using System.Security;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using FletSecret.Cipher;

namespace FletSecret.Commands;

/// <summary>
/// Re-encrypts Flet tokens under a new key (and iteration count), as Python's MultiFernet.rotate does: tokens in and
/// tokens out, or every token inside text files, rewritten in place all or nothing per file.
/// </summary>
[Cmdlet(VerbsData.Update, "FletString", DefaultParameterSetName = TokenSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(string), ParameterSetName = new[] { TokenSet })]
[OutputType(typeof(FletFileRotation), ParameterSetName = new[] { PathSet, LiteralPathSet })]
public sealed class UpdateFletStringCommand : FletKeyCommandBase
{
    internal const string TokenSet = "Token";
    internal const string PathSet = "Path";
    internal const string LiteralPathSet = "LiteralPath";

    private const string Wanted = "a token, as a string or a SecureString";

    private static readonly TimeSpan ProgressAfter = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromMilliseconds(250);

    private KeyRing? _keys; // the old keys; tokens that share salt and count share a derived key while it is held
    private readonly CancellationTokenSource _fileStop = new();
    private FletPassphrase? _newPassphrase;
    private string _newKeySource = string.Empty;
    private string _iterationsText = string.Empty;
    private int _newKeys;
    private int _index;

    /// <summary>The Flet tokens to rotate: strings or SecureStrings (or objects with a Token or InputObject property).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = TokenSet)]
    [Alias("Token", "EncryptedData")]
    [AllowNull]
    [AllowEmptyString]
    [AllowEmptyCollection]
    public object?[]? InputObject { get; set; } = Array.Empty<object>();

    /// <summary>Text files whose tokens are rotated in place; wildcards are expanded.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    public string[]? Path { get; set; }

    /// <summary>Text files whose tokens are rotated in place, each path taken as written (no wildcards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [ValidateNotNullOrEmpty]
    [Alias("PSPath", "LP")]
    public string[]? LiteralPath { get; set; }

    /// <summary>The old passphrase(s) as SecureStrings; each token is opened by the first that authenticates it.</summary>
    [Parameter]
    [Alias("SecretKey", "SecureKey")]
    [ValidateNotNullOrEmpty]
    public SecureString[]? Key { get; set; }

    /// <summary>The names of environment variables that hold the old passphrase(s), tried in this order.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(EnvironmentVariableCompleter))]
    public string[]? KeyEnvironmentVariable { get; set; }

    /// <summary>The literal paths of files that hold the old passphrase(s), tried in this order.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? KeyFile { get; set; }

    internal override SecureString?[]? KeyValues => Key;
    internal override string?[]? KeyEnvironmentVariableValues => KeyEnvironmentVariable;
    internal override string?[]? KeyFileValues => KeyFile;

    /// <summary>PBKDF2 iteration counts to read the tokens with, tried in order.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ValidateRange(1, int.MaxValue)]
    [ArgumentCompleter(typeof(IterationsCompleter))]
    public int[] Iterations { get; set; } = { FletSecurity.DefaultIterations };

    /// <summary>The new passphrase as a SecureString.</summary>
    [Parameter]
    [ValidateNotNull]
    public SecureString? NewKey { get; set; }

    /// <summary>The name of an environment variable that holds the new passphrase.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(EnvironmentVariableCompleter))]
    public string? NewKeyEnvironmentVariable { get; set; }

    /// <summary>The literal path of a file that holds the new passphrase.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NewKeyFile { get; set; }

    /// <summary>PBKDF2 iterations of the new tokens: 600000 for Flet 0.27.5 and later.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    [ArgumentCompleter(typeof(IterationsCompleter))]
    public int NewIterations { get; set; } = FletSecurity.DefaultIterations;

    /// <summary>Make every new token this pair's; by default each token keeps its own.</summary>
    [Parameter]
    public FletAlgorithm Algorithm { get; set; }

    /// <summary>With -Path: wildcards match hidden files too (.env, .env.local), as Get-ChildItem -Force does.</summary>
    [Parameter(ParameterSetName = PathSet)]
    public SwitchParameter Force { get; set; }

    /// <summary>With -Path or -LiteralPath: write a summary object per file.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter PassThru { get; set; }

    internal override string Activity => "Rotating Flet tokens";

    private bool FileMode => ParameterSetName != TokenSet;

    private Cipher.FletAlgorithm? ForcedAlgorithm => MyInvocation.BoundParameters.ContainsKey(nameof(Algorithm)) ? Algorithm.ToCipher() : null;

    internal override string DescribeSettings() =>
        $"Iterations tried in order: {_iterationsText}. New key: {_newKeySource}; new iterations: {NewIterations}. " +
        $"Pair: {(ForcedAlgorithm is not null ? $"every new token {Algorithm}" : "each token keeps its own")}. " +
        $"Input: {(FileMode ? "tokens inside files, each file all or nothing" : "tokens")}.";

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        _iterationsText = string.Join(", ", Iterations);
        ThrowIfMoreThanOne("FletSecret.KeyConflict", "an old key", "-Key, -KeyEnvironmentVariable or -KeyFile",
            (nameof(Key), Key is not null), (nameof(KeyEnvironmentVariable), KeyEnvironmentVariable is not null), (nameof(KeyFile), KeyFile is not null));
        ThrowIfMoreThanOne("FletSecret.NewKeyConflict", "the new key", "-NewKey, -NewKeyEnvironmentVariable or -NewKeyFile",
            (nameof(NewKey), NewKey is not null), (nameof(NewKeyEnvironmentVariable), NewKeyEnvironmentVariable is not null), (nameof(NewKeyFile), NewKeyFile is not null));
        try
        {
            (_newPassphrase, _newKeySource) = ResolveNewKey();
        }
        catch (KeySourceException e)
        {
            ThrowTerminatingError(ErrorMapping.ForKeySource(ForNewKey(e)));
            return;
        }
        base.BeginProcessing();
        _keys = new KeyRing(Passphrases, KeyPositions, Iterations, Deriver);
        if (!FileMode && !MyInvocation.ExpectingInput) SetTotal(PipelineInput.Items(InputObject).Length);
    }

    private void ThrowIfMoreThanOne(string errorId, string what, string choices, params (string Name, bool Bound)[] parameters)
    {
        string[] bound = parameters.Where(p => p.Bound).Select(p => "-" + p.Name).ToArray();
        if (bound.Length <= 1) return;
        var e = new PSArgumentException($"{string.Join(" and ", bound)} were given together; {what} comes from one place.");
        ThrowTerminatingError(new ErrorRecord(e, errorId, ErrorCategory.InvalidArgument, null)
        {
            ErrorDetails = new ErrorDetails($"{string.Join(" and ", bound)} were given together; {what} comes from one place: {choices}.")
            {
                RecommendedAction = $"Give {what} with one of {choices} (a parameter may take several keys where it is a list).",
            },
        });
    }

    /// <summary>The new key from the one source given; a missing one is a terminating error, before any old key is read.</summary>
    private (FletPassphrase, string) ResolveNewKey()
    {
        if (NewKey is not null) return (KeySource.FromSecureString(NewKey), "the -NewKey SecureString");
        if (NewKeyEnvironmentVariable is not null)
            return (KeySource.FromEnvironment(NewKeyEnvironmentVariable, named: true), $"the environment variable '{NewKeyEnvironmentVariable}'");
        if (NewKeyFile is not null) return ReadKeyFile(NewKeyFile);
        throw new KeySourceException("FletSecret.NewKeyMissing", ErrorCategory.InvalidArgument,
            "No new key was given: Update-FletString re-encrypts under the key given by -NewKey, -NewKeyEnvironmentVariable or -NewKeyFile.",
            NewKeyWays + " For a pure iteration migration, give the same key as the old one (with -NewIterations 600000, the default).");
    }

    private const string NewKeyWays =
        "Give the new key with -NewKey (a SecureString), -NewKeyEnvironmentVariable (the name of a variable that holds it) or -NewKeyFile (the path of a file that holds it).";

    /// <summary>A key source error about the new key: the parameters named as the new key's, the advice its own.</summary>
    private static KeySourceException ForNewKey(KeySourceException e)
    {
        if (e.ErrorId == "FletSecret.NewKeyMissing") return e;
        string Rename(string text) => Regex.Replace(text, @"(?<![A-Za-z])-Key", "-NewKey");
        string id = e.ErrorId.StartsWith("FletSecret.Key", StringComparison.Ordinal) ? "FletSecret.NewKey" + e.ErrorId.Substring("FletSecret.Key".Length) : e.ErrorId;
        return new KeySourceException(id, e.Category, "The new key: " + Rename(e.Message), NewKeyWays, e.Target);
    }

    /// <summary>Reads this record's tokens now (on the pipeline thread), or, for -Path and -LiteralPath, rotates the files.</summary>
    internal override void QueueItems()
    {
        if (FileMode)
        {
            foreach (string file in ResolveFiles()) RotateFile(file);
            return;
        }
        Cipher.FletAlgorithm? pair = ForcedAlgorithm;
        foreach (object? item in PipelineInput.Items(InputObject))
        {
            int index = _index++;
            object? token = PipelineInput.Resolve(item, UnprotectFletStringCommand.PropertyNames);
            switch (token)
            {
                case null:
                    Submit(NullInput(index, Wanted));
                    break;
                case SecureString secure:
                    // Parsed before the first await inside Submit, so the characters are read before they are zeroed.
                    if (!PipelineInput.WithChars(secure, chars => Submit(() => RotateItemAsync(reading => Fernet.Parse(chars, reading), index, pair))))
                    {
                        Submit(InvalidInput(index, "is a SecureString that was disposed before Update-FletString could read it.",
                            "the SecureString before disposing of it (write it, then dispose)"));
                    }
                    break;
                case FileSystemInfo file:
                    // Get-ChildItem *.env | Update-FletString: its text is a path, which would only fail as "not a token".
                    Submit(InvalidInput(index, $"is a {(file is DirectoryInfo ? "folder" : "file")} ('{file.Name}'), not a token; the tokens inside files are rotated with -Path or -LiteralPath.",
                        "the files to -LiteralPath, for example Update-FletString -LiteralPath (Get-ChildItem *.env).FullName, or tokens as strings or SecureStrings"));
                    break;
                default:
                    string text = token as string ?? PipelineInput.ToText(token);
                    Submit(() => RotateItemAsync(reading => Fernet.Parse(text, reading), index, pair));
                    break;
            }
        }
    }

    // The target names the item by position.
    private static string Target(int index) => $"InputObject[{index}]";

    private async Task<ItemResult> RotateItemAsync(Func<Cipher.FletAlgorithm?, ParsedToken> parse, int index, Cipher.FletAlgorithm? pair)
    {
        try
        {
            return new ItemResult(await RotateParsedAsync(parse, pair).ConfigureAwait(false), null);
        }
        catch (FletTokenException e)
        {
            ItemResult failure = Failure(e, Target(index), _iterationsText, Passphrases.Length);
            ErrorRecord record = failure.Error!;
            record.ErrorDetails = new ErrorDetails($"Item {index}: {record.ErrorDetails!.Message} Nothing is written in its place.")
            {
                RecommendedAction = record.ErrorDetails.RecommendedAction,
            };
            return failure;
        }
    }

    /// <summary>
    /// Parses the token by its shape (synchronously, before the first await, while a SecureString's characters are
    /// there) and rotates it. A token whose shape says AES-GCM may yet be a Fernet token that Flet's decrypt opens (its
    /// inner layer holds bytes Python's base64 skips), as Unprotect-FletString reads it: it is read as Fernet too, and
    /// that reading is rotated when the GCM one does not authenticate.
    /// </summary>
    private async Task<string> RotateParsedAsync(Func<Cipher.FletAlgorithm?, ParsedToken> parse, Cipher.FletAlgorithm? pair)
    {
        using ParsedToken parsed = parse(null);
        using ParsedToken? asFernet = Fernet.AlsoAsFernet(parsed, parse);
        return await RotateAsync(parsed, asFernet, pair).ConfigureAwait(false);
    }

    /// <summary>
    /// The token re-encrypted under a new key of its own (a fresh salt, as Flet's encrypt makes): the new key's
    /// derivation starts at once, beside the old key's, so both wait in the same deriver and share SIMD batches with
    /// other tokens' derivations of the same iteration count.
    /// </summary>
    private async Task<string> RotateAsync(ParsedToken parsed, ParsedToken? asFernet, Cipher.FletAlgorithm? pair)
    {
        Task<FletKey> newKey = Deriver.CreateKeyAsync(_newPassphrase!, NewIterations);
        Interlocked.Increment(ref _newKeys);
        try
        {
            return await _keys!.OpenAsync(parsed, async oldKey =>
            {
                FletKey fresh = await newKey.ConfigureAwait(false);
                DateTimeOffset now = DateTimeOffset.UtcNow;
                try
                {
                    return oldKey.Rotate(parsed, fresh, pair ?? parsed.Algorithm, now);
                }
                catch (FletTokenException e) when (e.Error == FletTokenError.AuthenticationFailed && asFernet is not null)
                {
                    // The same derived key (both pairs derive it alike) reads the token as Fernet: its HMAC decides.
                    return oldKey.Rotate(asFernet, fresh, pair ?? asFernet.Algorithm, now);
                }
            }).ConfigureAwait(false);
        }
        finally
        {
            // Each new key seals one token: zeroed once derived, whether or not the token opened.
            _ = newKey.ContinueWith(static task =>
            {
                if (task.Status == TaskStatus.RanToCompletion) task.Result.Dispose();
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>The files -Path (wildcards expanded) or -LiteralPath name, each once; an error for each that is none.</summary>
    private List<string> ResolveFiles()
    {
        var files = new List<string>();
        // Windows and macOS file systems ignore case by default: App.env and app.env are one file there.
        var seen = new HashSet<string>(RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase);
        bool literal = ParameterSetName == LiteralPathSet;
        foreach (string given in (literal ? LiteralPath : Path) ?? Array.Empty<string>())
        {
            IEnumerable<string> resolved;
            ProviderInfo provider;
            bool wildcard = !literal && WildcardPattern.ContainsWildcardCharacters(given);
            try
            {
                if (literal) resolved = new[] { SessionState.Path.GetUnresolvedProviderPathFromPSPath(given, out provider, out _) };
                else if (wildcard && Force)
                {
                    _ = SessionState.Path.GetUnresolvedProviderPathFromPSPath(given, out provider, out _);
                    resolved = string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase) ? WithHidden(given) : Array.Empty<string>();
                }
                else resolved = SessionState.Path.GetResolvedProviderPathFromPSPath(given, out provider);
            }
            catch (ItemNotFoundException)
            {
                WriteError(PathError("FletSecret.FileNotFound", ErrorCategory.ObjectNotFound, given,
                    $"The file '{given}' does not exist.", "Check the path; relative paths start at the current PowerShell location."));
                continue;
            }
            catch (Exception e) when (e is SessionStateException or NotSupportedException or ArgumentException or PSArgumentException
                                          or PSNotSupportedException or PSInvalidOperationException or ProviderInvocationException)
            {
                WriteError(PathError("FletSecret.FileNotFound", ErrorCategory.ObjectNotFound, given,
                    $"The path '{given}' cannot be resolved: {e.GetType().Name}.", "Check the path; relative paths start at the current PowerShell location."));
                continue;
            }
            if (!string.Equals(provider.Name, "FileSystem", StringComparison.OrdinalIgnoreCase))
            {
                WriteError(PathError("FletSecret.NotFileSystemPath", ErrorCategory.InvalidArgument, given,
                    $"'{given}' is a path of the {provider.Name} provider, not a file.", "Give the path of a text file (Set-Location to a file system folder first for a relative path)."));
                continue;
            }
            int matched = 0;
            foreach (string path in resolved)
            {
                matched++;
                if (Directory.Exists(path))
                {
                    // A folder a wildcard matched among the files is passed over; one named on its own is an error.
                    if (wildcard) WriteVerbose($"'{path}' is a folder: passed over.");
                    else WriteError(PathError("FletSecret.PathIsDirectory", ErrorCategory.InvalidArgument, path,
                        $"'{path}' is a folder, not a file.", "Give the files, for example -Path ./config/*.env, or (Get-ChildItem -Recurse -Filter *.env).FullName to -LiteralPath."));
                    continue;
                }
                if (!File.Exists(path))
                {
                    WriteError(PathError("FletSecret.FileNotFound", ErrorCategory.ObjectNotFound, path,
                        $"The file '{path}' does not exist.", "Check the path; relative paths start at the current PowerShell location."));
                    continue;
                }
                // A FIFO would block the pipeline thread (Ctrl+C cannot end a read), /dev/zero would be read until memory ran out.
                if (KeySource.NotRegularFileKind(path) is string kind)
                {
                    WriteError(PathError("FletSecret.NotRegularFile", ErrorCategory.InvalidArgument, path,
                        $"'{path}' is {kind}, not a regular file; only regular files are rewritten, so that the command never waits on a pipe or reads a device without end.",
                        "Give the path of a text file (a .env, JSON, YAML or configuration file)."));
                    continue;
                }
                // By the file a link leads to: a link and its target (both matched by *.env) are one file, rotated once;
                // a second pass would find its tokens under the new key already and refuse it.
                if (seen.Add(SameFileKey(path))) files.Add(path);
                else WriteVerbose($"'{path}' is a file given before (or a link to it): rotated once.");
            }
            if (!wildcard) continue;
            // PowerShell's wildcards pass over hidden files, and a .env is one on Linux and macOS: never skip one silently.
            string[] hidden;
            try
            {
                // Files only: a folder a wildcard matches is passed over anyway (.git beside the .env).
                hidden = Force ? Array.Empty<string>() : WithHidden(given).Except(resolved, seen.Comparer).Where(File.Exists).ToArray();
            }
            catch (RuntimeException)
            {
                hidden = Array.Empty<string>(); // the provider could not list them: nothing to say about them
            }
            if (hidden.Length > 0)
            {
                WriteWarning($"-Path '{given}' passed over {hidden.Length} hidden file(s), such as '{System.IO.Path.GetFileName(hidden[0])}': " +
                    "PowerShell's wildcards match hidden files only with -Force. Add -Force to rotate them too.");
            }
            else if (matched == 0)
            {
                WriteWarning($"-Path '{given}' matched no file.");
            }
        }
        return files;
    }

    /// <summary>The provider paths a -Path wildcard matches, hidden items included (as Get-Item -Force gives them).</summary>
    private string[] WithHidden(string pattern) =>
        SessionState.InvokeProvider.Item.Get(new[] { pattern }, force: true, literalPath: false)
            .Select(item => item.Properties["PSPath"]?.Value as string)
            .Where(psPath => psPath is not null)
            .Select(psPath => SessionState.Path.GetUnresolvedProviderPathFromPSPath(psPath!))
            .ToArray();

    /// <summary>Where the path's links end; the path itself where that cannot be read (the replace then says why).</summary>
    private static string SameFileKey(string path)
    {
        try
        {
            return AtomicFile.FinalTarget(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return path;
        }
    }

    private static ErrorRecord PathError(string id, ErrorCategory category, string target, string message, string advice) =>
        new(new IOException(message), id, category, target)
        {
            ErrorDetails = new ErrorDetails(message) { RecommendedAction = advice },
        };

    /// <summary>
    /// Rotates every token in one file, all or nothing: the file is replaced (atomically) only when every token was
    /// rotated; otherwise it is left byte for byte as it was and one error names the lines that failed.
    /// </summary>
    private void RotateFile(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SecurityException)
        {
            bool denied = e is not IOException;
            WriteError(PathError("FletSecret.FileUnreadable", denied ? ErrorCategory.PermissionDenied : ErrorCategory.ReadError, path,
                $"The file '{path}' cannot be read: {e.GetType().Name}.", denied ? "Check the file's permissions." : "Check that the file can be read, then run the command again."));
            return;
        }
        FletTextFile file = FletTextFile.Parse(bytes);
        IReadOnlyList<FletTokenMatch> tokens = file.Tokens;
        if (tokens.Count == 0)
        {
            WriteVerbose($"'{path}': no Flet tokens ({file.Encoding}); left as it is.");
            if (PassThru) WriteObject(new FletFileRotation(path, 0, 0, file.Encoding));
            return;
        }
        if (!ShouldProcess(path, $"Rotate {tokens.Count} Flet token(s)")) return;

        Cipher.FletAlgorithm? pair = ForcedAlgorithm;
        var rotations = new Task<string>[tokens.Count];
        for (int i = 0; i < tokens.Count; i++)
        {
            string token = tokens[i].Token;
            rotations[i] = RotateTextAsync(token, pair);
        }
        WaitWithProgress(rotations, path);

        var failures = new List<(int Line, Exception Error)>();
        for (int i = 0; i < rotations.Length; i++)
        {
            if (rotations[i].Status != TaskStatus.RanToCompletion)
                failures.Add((tokens[i].Line, rotations[i].Exception?.GetBaseException() ?? new OperationCanceledException()));
        }
        if (failures.Count > 0)
        {
            WriteError(FileFailure(path, tokens.Count, failures));
            if (PassThru) WriteObject(new FletFileRotation(path, tokens.Count, 0, file.Encoding));
            return;
        }

        byte[] content = file.Replace(rotations.Select(r => r.Result).ToArray());
        try
        {
            AtomicFile.Replace(path, bytes, content);
        }
        catch (FileChangedException e)
        {
            WriteError(new ErrorRecord(e, "FletSecret.FileChanged", ErrorCategory.ResourceUnavailable, path)
            {
                ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = "Run the command again once nothing else writes the file." },
            });
            if (PassThru) WriteObject(new FletFileRotation(path, tokens.Count, 0, file.Encoding));
            return;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SecurityException)
        {
            bool denied = e is not IOException;
            WriteError(PathError("FletSecret.FileUnwritable", denied ? ErrorCategory.PermissionDenied : ErrorCategory.WriteError, path,
                $"The file '{path}' could not be replaced ({e.GetType().Name}: {e.Message}); it was left as it was.",
                denied ? "Check that this user may write the file and its folder (a temporary file is made beside it)." : "Check the disk and the folder, then run the command again."));
            if (PassThru) WriteObject(new FletFileRotation(path, tokens.Count, 0, file.Encoding));
            return;
        }
        WriteVerbose($"'{path}': rotated {tokens.Count} Flet token(s) ({file.Encoding}) and replaced the file.");
        if (PassThru) WriteObject(new FletFileRotation(path, tokens.Count, tokens.Count, file.Encoding));
    }

    private Task<string> RotateTextAsync(string token, Cipher.FletAlgorithm? pair) =>
        RotateParsedAsync(reading => Fernet.Parse(token, reading), pair);

    /// <summary>Waits for a file's rotations on the pipeline thread, with progress over its tokens; Ctrl+C ends the wait.</summary>
    private void WaitWithProgress(Task<string>[] rotations, string path)
    {
        Task all = Task.WhenAll(rotations);
        var clock = Stopwatch.StartNew();
        bool shown = false;
        string activity = $"Rotating Flet tokens in {System.IO.Path.GetFileName(path)}";
        while (true)
        {
            try
            {
                if (all.Wait((int)ProgressEvery.TotalMilliseconds, _fileStop.Token)) break;
            }
            catch (OperationCanceledException) when (_fileStop.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            catch (AggregateException)
            {
                break; // some failed: the caller reports them
            }
            if (clock.Elapsed < ProgressAfter) continue;
            int done = rotations.Count(r => r.IsCompleted);
            WriteProgress(new ProgressRecord(2, activity, $"{done} of {rotations.Length} tokens") { PercentComplete = done * 100 / rotations.Length });
            shown = true;
        }
        if (shown) WriteProgress(new ProgressRecord(2, activity, "Done") { RecordType = ProgressRecordType.Completed });
    }

    /// <summary>One error for a file left unchanged: how many tokens failed, on which lines, and the first one's reason.</summary>
    private ErrorRecord FileFailure(string path, int found, List<(int Line, Exception Error)> failures)
    {
        string lines = string.Join(", ", failures.Select(f => f.Line).Distinct());
        string what = $"'{path}' was left unchanged: {failures.Count} of {found} Flet token(s) could not be rotated " +
            $"(line{(failures.Count > 1 ? "s" : string.Empty)} {lines}).";
        (int line, Exception first) = failures[0];
        if (first is FletTokenException token)
        {
            token = WithKeysTried(token, Passphrases.Length);
            string advice = ErrorMapping.Advice(token.Error, _iterationsText, Passphrases.Length);
            if (token.Error == FletTokenError.AuthenticationFailed)
                advice += " A value that only has a token's shape (see Get-Help Update-FletString -Parameter Path) is refused the same way: rotate the file's other tokens through the pipeline instead.";
            ErrorRecord record = ErrorMapping.ForToken(token, path, advice);
            record.ErrorDetails = new ErrorDetails($"{what} Line {line}: {token.Message}") { RecommendedAction = advice };
            return record;
        }
        return new ErrorRecord(first, "FletSecret.UnexpectedError", ErrorCategory.InvalidOperation, path)
        {
            ErrorDetails = new ErrorDetails($"{what} Line {line} failed unexpectedly ({first.GetType().Name}). Please report it; see SECURITY.md for how.")
            {
                RecommendedAction = "Report it (see SECURITY.md), with the module version and the command, never the key or the data; try again.",
            },
        };
    }

    /// <inheritdoc />
    protected override void StopProcessing()
    {
        _fileStop.Cancel();
        base.StopProcessing();
    }

    internal override string ReadingKeyName => "old key";

    internal override string DescribeTotals() =>
        _keys is null ? string.Empty :
        $"Derived {_keys.Held.Derived} old key(s) (at most {_keys.Held.MostHeld} held at once) and {Volatile.Read(ref _newKeys)} new key(s), one per token." +
        _keys.DescribeOpened("old key");

    internal override void DisposeKeys()
    {
        _keys?.Clear();
        // Called once every derivation has ended: nothing reads the new passphrase any more.
        _newPassphrase?.Dispose();
    }
}
