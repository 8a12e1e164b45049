using System;
using System.Diagnostics;
using System.Management.Automation;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using FletSecret.Cipher;

namespace FletSecret;

/// <summary>
/// What Protect-FletString and Unprotect-FletString share: the key parameter sets, the bounded parallel window
/// with ordered, streamed output, per-item errors, progress, and a prompt stop.
/// </summary>
/// <remarks>
/// Streaming rule: a record's outputs (and all before them) are written before ProcessRecord returns when the
/// upstream is slower than the cipher, that is for the first record from a command (the cmdlet cannot know yet) and
/// whenever the upstream took at least as long to produce the record as a waited item took to finish (about one
/// derivation). Records that come back to back (a list, a file read at once) fill the window instead, so that the
/// derivations run in parallel and in SIMD batches; their outputs are written as they finish, at the next record or
/// at the end. Input from a variable or expression ($list | Protect-FletString) is all there at once: its first
/// record does not wait either.
/// </remarks>
public abstract class FletKeyCommandBase : PSCmdlet, IDisposable
{
    internal const string DefaultKeySet = "DefaultKey";
    internal const string KeySet = "Key";
    internal const string KeyEnvironmentVariableSet = "KeyEnvironmentVariable";
    internal const string KeyFileSet = "KeyFile";

    private static readonly TimeSpan ProgressAfter = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromMilliseconds(250);

    /// <summary>The shortest upstream gap that makes a record wait, however fast the derivations are.</summary>
    private static readonly TimeSpan SlowUpstreamFloor = TimeSpan.FromMilliseconds(25);

    private readonly Stopwatch _clock = new();
    private readonly CancellationTokenSource _stop = new();
    private OrderedWork? _work;
    private TimeSpan? _returned;
    private TimeSpan _slowUpstream = SlowUpstreamFloor;
    private bool _disposed;
    private int _done;
    private int _total = -1;
    private bool _progressShown;
    private TimeSpan _lastProgress;

    /// <summary>What the keys of -Key, -KeyEnvironmentVariable and -KeyFile are called in messages ("key", "old key").</summary>
    internal virtual string ReadingKeyName => "key";

    /// <summary>The -Key SecureString(s) as bound, or null (each cmdlet declares its key parameters: one key or several).</summary>
    internal abstract SecureString?[]? KeyValues { get; }

    /// <summary>The -KeyEnvironmentVariable name(s) as bound, or null.</summary>
    internal abstract string?[]? KeyEnvironmentVariableValues { get; }

    /// <summary>The -KeyFile path(s) as bound, or null.</summary>
    internal abstract string?[]? KeyFileValues { get; }

    /// <summary>How many key derivations run at once (threads); each may carry a SIMD batch of derivations.</summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = Environment.ProcessorCount;

    /// <summary>The first (or only) passphrase: the one Protect-FletString encrypts with; zeroed on Dispose.</summary>
    internal FletPassphrase Passphrase => Passphrases[0];

    /// <summary>The passphrases in the order given (a repeated one only once), from whichever source was chosen; zeroed on Dispose.</summary>
    internal FletPassphrase[] Passphrases { get; private set; } = Array.Empty<FletPassphrase>();

    /// <summary>Where each of <see cref="Passphrases"/> was given, 1-based (a key given twice leaves a gap), for messages.</summary>
    internal int[] KeyPositions { get; private set; } = Array.Empty<int>();

    /// <summary>Derives the keys this call needs, batching those that wait together.</summary>
    internal FletKeyDeriver Deriver { get; private set; } = null!;

    /// <summary>Progress activity, for example "Encrypting Flet tokens".</summary>
    internal abstract string Activity { get; }

    /// <summary>Resolves the key (a terminating error when there is none) and starts the window.</summary>
    protected override void BeginProcessing()
    {
        _clock.Start();
        string source;
        try
        {
            source = ResolveKeys();
        }
        catch (KeySourceException e)
        {
            ThrowTerminatingError(ErrorMapping.ForKeySource(e));
            return;
        }

        // Enough items in flight to fill a SIMD batch per derivation thread (the lanes of the engine, whether or not
        // the estimate made before its costs are measured says a batch pays).
        int lanes = FletKeyDeriver.Costs.Lanes;
        Deriver = new FletKeyDeriver(Passphrase, ThrottleLimit);
        _work = new OrderedWork(ThrottleLimit * Math.Max(1, lanes), _stop.Token);
        // Describing the engines plans batches for every thread count: only when someone reads it (a 128-core machine pays ~1 s).
        if (VerboseWanted) WriteVerbose($"{(Passphrases.Length > 1 ? $"Keys, tried in this order: {source}" : $"Key: {source}")}. {DescribeSettings()} Derivation threads: {ThrottleLimit}; {FletKeyDeriver.DescribeEngines(ThrottleLimit)}");
    }

    /// <summary>
    /// Reads every key now (all or none: a failure zeroes those read before it) and says where they came from. With
    /// several, an error says which one failed by position; a key given twice is used once, with a warning.
    /// </summary>
    private string ResolveKeys()
    {
        string kind;
        int count;
        Func<int, (FletPassphrase Key, string Source)> read;
        // By what was bound, not by parameter set name: a cmdlet may combine the key sets with others (Update-FletString).
        if (KeyValues is SecureString?[] secure)
        {
            (kind, count) = ("-Key", secure.Length);
            read = i => (KeySource.FromSecureString(secure[i] ?? throw KeySource.KeyMissing()), "the -Key SecureString");
        }
        else if (KeyEnvironmentVariableValues is string?[] names)
        {
            (kind, count) = ("-KeyEnvironmentVariable", names.Length);
            read = i => (KeySource.FromEnvironment(names[i] ?? string.Empty, named: true), $"the environment variable '{names[i]}'");
        }
        else if (KeyFileValues is string?[] files)
        {
            (kind, count) = ("-KeyFile", files.Length);
            read = i => ReadKeyFile(files[i] ?? string.Empty);
        }
        else
        {
            (kind, count) = ("", 1);
            read = _ => (KeySource.FromEnvironment(KeySource.DefaultVariable, named: false, ReadingKeyName),
                $"the environment variable '{KeySource.DefaultVariable}' (the default)");
        }
        var keys = new System.Collections.Generic.List<FletPassphrase>(count);
        var sources = new System.Collections.Generic.List<string>(count);
        var positions = new System.Collections.Generic.List<int>(count);
        try
        {
            for (int i = 0; i < count; i++)
            {
                (FletPassphrase key, string from) = ReadKey(read, i, count, kind);
                int same = keys.FindIndex(k => k.HasSameBytes(key));
                if (same >= 0)
                {
                    key.Dispose();
                    WriteWarning($"{kind} key {i + 1} of {count} is the same key as key {positions[same]}; it is tried once.");
                    continue;
                }
                keys.Add(key);
                positions.Add(i + 1);
                sources.Add(count > 1 ? $"key {i + 1}: {from}" : from);
            }
        }
        catch
        {
            foreach (FletPassphrase key in keys) key.Dispose();
            throw;
        }
        Passphrases = keys.ToArray();
        KeyPositions = positions.ToArray();
        return string.Join("; ", sources);
    }

    /// <summary>A key file's passphrase and where it came from; warns when others may read the file.</summary>
    internal (FletPassphrase Key, string Source) ReadKeyFile(string keyFile)
    {
        string path = KeySource.ResolveKeyFilePath(SessionState, keyFile);
        FletPassphrase key = KeySource.FromFile(path);
        string? warning = KeySource.PermissionWarning(path);
        if (warning is not null) WriteWarning(warning);
        return (key, $"the key file '{path}'");
    }

    private static (FletPassphrase, string) ReadKey(Func<int, (FletPassphrase, string)> read, int index, int count, string kind)
    {
        try
        {
            return read(index);
        }
        catch (KeySourceException e) when (count > 1)
        {
            // Which of several keys failed, by position (never by value).
            throw new KeySourceException(e.ErrorId, e.Category, $"{kind} key {index + 1} of {count}: {e.Message}", e.RecommendedAction, e.Target);
        }
    }

    /// <summary>Whether verbose records are shown or kept (-Verbose, or $VerbosePreference other than SilentlyContinue).</summary>
    /// <remarks>
    /// Read as PowerShell reads it: `$VerbosePreference = 'Continue'` in a script or function makes a local variable
    /// that holds the string, not an ActionPreference, and WriteVerbose still honours it.
    /// </remarks>
    private bool VerboseWanted =>
        MyInvocation.BoundParameters.TryGetValue("Verbose", out object? verbose)
            ? verbose is SwitchParameter { IsPresent: true }
            : LanguagePrimitives.TryConvertTo(GetVariableValue("VerbosePreference"), out ActionPreference preference) &&
              preference != ActionPreference.SilentlyContinue && preference != ActionPreference.Ignore;

    /// <summary>Settings for the verbose line (iterations and the like), never key material.</summary>
    internal abstract string DescribeSettings();

    /// <summary>Tells the progress bar how many items there are, when the caller knows.</summary>
    internal void SetTotal(int total) => _total = total;

    /// <summary>Reads this record's items (inside ProcessRecord, never later) and queues each with <see cref="Submit"/>.</summary>
    internal abstract void QueueItems();

    /// <summary>Queues the record's items, then writes what is ready; waits for all of them when the upstream is slow.</summary>
    protected sealed override void ProcessRecord()
    {
        TimeSpan arrived = _clock.Elapsed;
        bool fromMemory = MyInvocation.ExpectingInput && MyInvocation.PipelinePosition == 1;
        bool slowUpstream = _returned is TimeSpan returned ? arrived - returned >= _slowUpstream : !fromMemory;
        QueueItems();
        if (slowUpstream)
        {
            // Waiting here costs no more than the upstream's own pause did; the time waited (less what downstream
            // took to take the outputs) is what "slow" means for the next record.
            TimeSpan writing = TimeSpan.Zero;
            Deriver.NothingMoreComing(); // this record's derivations need not wait for others
            foreach (ItemResult result in _work!.Take(all: true))
            {
                TimeSpan before = _clock.Elapsed;
                Write(result);
                writing += _clock.Elapsed - before;
            }
            TimeSpan waited = _clock.Elapsed - arrived - writing;
            if (waited > _slowUpstream) _slowUpstream = waited;
        }
        else
        {
            foreach (ItemResult result in _work!.Take(all: false)) Write(result);
        }
        _returned = _clock.Elapsed;
    }

    /// <summary>Queues one item and writes whatever is ready, in order (waiting for the oldest while the window is full).</summary>
    internal void Submit(Func<Task<ItemResult>> work)
    {
        _work!.Start(work);
        foreach (ItemResult result in _work.Take(all: false)) Write(result);
    }

    /// <summary>Queues an item that failed before it needed a key (a null, a SecureString that could not be read).</summary>
    internal void Submit(ItemResult refused) => Submit(() => Task.FromResult(refused));

    /// <summary>Writes every remaining result, in order.</summary>
    protected override void EndProcessing()
    {
        if (_work is null) return;
        Deriver.NothingMoreComing(); // the input has ended
        foreach (ItemResult result in _work.Take(all: true)) Write(result);
        if (_progressShown)
        {
            WriteProgress(new ProgressRecord(1, Activity, "Done") { RecordType = ProgressRecordType.Completed });
        }
        WriteVerbose($"{_done} item(s) in {_clock.Elapsed.TotalSeconds:0.000} s. {DescribeTotals()} " +
            $"SIMD batches: {Deriver.SimdBatches}; one at a time: {Deriver.PlatformDerivations}.");
    }

    /// <summary>A closing remark for the verbose stream, such as how many keys were derived.</summary>
    internal virtual string DescribeTotals() => string.Empty;

    private void Write(ItemResult result)
    {
        _done++;
        if (result.Error is not null) WriteError(result.Error);
        else WriteObject(result.Output);
        ReportProgress();
    }

    private void ReportProgress()
    {
        TimeSpan elapsed = _clock.Elapsed;
        if (elapsed < ProgressAfter || elapsed - _lastProgress < ProgressEvery) return;
        _lastProgress = elapsed;
        _progressShown = true;
        double rate = _done / elapsed.TotalSeconds;
        var record = new ProgressRecord(1, Activity,
            _total > 0 ? $"{_done} of {_total} items, {rate:0.0} per second" : $"{_done} items, {rate:0.0} per second");
        if (_total > 0) record.PercentComplete = Math.Min(100, _done * 100 / _total);
        WriteProgress(record);
    }

    /// <summary>Maps a cipher error to a per-item error record.</summary>
    internal ItemResult Failure(FletTokenException e, object? target, string iterationsTried, int keysTried = 1)
    {
        e = WithKeysTried(e, keysTried);
        return new(null, ErrorMapping.ForToken(e, target, ErrorMapping.Advice(e.Error, iterationsTried, keysTried)));
    }

    /// <summary>An authentication failure after several keys, saying how many were tried; any other error as it is.</summary>
    internal static FletTokenException WithKeysTried(FletTokenException e, int keysTried) =>
        keysTried > 1 && e.Error == FletTokenError.AuthenticationFailed
            ? new FletTokenException(e.Error, $"None of the {keysTried} keys opened the token. {e.Message}", e)
            : e;

    /// <summary>A null item: the documented per-item error, and the other items go on.</summary>
    internal static ItemResult NullInput(int index, string what) =>
        new(null, new ErrorRecord(new ArgumentNullException(InputObjectName), "FletSecret.NullInput", ErrorCategory.InvalidArgument, $"InputObject[{index}]")
        {
            ErrorDetails = new ErrorDetails($"Item {index} is null; give {what}.")
            {
                RecommendedAction = $"Remove the null items before the cmdlet (for example with Where-Object {{ $null -ne $_ }}), or give {what}.",
            },
        });

    /// <summary>An item that is not text: neither a string nor a SecureString, nor an object with the parameter's property.</summary>
    internal static ItemResult InvalidInput(int index, string problem, string what) =>
        new(null, new ErrorRecord(new ArgumentException(problem), "FletSecret.InvalidInput", ErrorCategory.InvalidArgument, $"InputObject[{index}]")
        {
            ErrorDetails = new ErrorDetails($"Item {index} {problem}")
            {
                RecommendedAction = $"Give {what}.",
            },
        });

    private const string InputObjectName = "InputObject";

    /// <summary>Ctrl+C, or PowerShell.Stop() from another thread: ends any wait of the pipeline thread at once.</summary>
    protected override void StopProcessing() => _stop.Cancel();

    /// <summary>
    /// Cancels derivations not started and zeroes the passphrase and derived keys. It does not wait for a running
    /// derivation (stopped early: Ctrl+C, -ErrorAction Stop), which PBKDF2 cannot interrupt: the zeroing then happens
    /// once that derivation and the items waiting on it have ended, in the background; the deriver zeroes the keys
    /// it derives after this.
    /// </summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _stop.Cancel();
        Deriver?.Dispose();
        Task itemsEnded = _work?.Ended() ?? Task.CompletedTask;
        Task derivationsEnded = Deriver?.Stopped ?? Task.CompletedTask;
        Task allEnded = Task.WhenAll(itemsEnded, derivationsEnded);
        if (allEnded.IsCompleted) Release();
        else allEnded.ContinueWith(_ => Release(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        GC.SuppressFinalize(this);
    }

    private void Release()
    {
        DisposeKeys();
        foreach (FletPassphrase passphrase in Passphrases) passphrase.Dispose();
    }

    /// <summary>Zeroes keys the command derived and kept.</summary>
    internal virtual void DisposeKeys()
    {
    }

    /// <summary>Zeroes the key behind a shared derivation, if it was derived; a failed or unstarted one has none.</summary>
    internal static void DisposeDerivedKey(Lazy<Task<FletKey>>? key)
    {
        if (key is { IsValueCreated: true } && key.Value.Status == TaskStatus.RanToCompletion) key.Value.Result.Dispose();
    }
}
