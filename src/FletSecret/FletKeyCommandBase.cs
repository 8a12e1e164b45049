using System;
using System.Diagnostics;
using System.Management.Automation;
using System.Security;
using System.Threading.Tasks;
using FletSecret.Cipher;

namespace FletSecret;

/// <summary>
/// What Protect-FletString and Unprotect-FletString share: the key parameter sets, the bounded parallel window
/// with ordered, streamed output, per-item errors and progress.
/// </summary>
public abstract class FletKeyCommandBase : PSCmdlet, IDisposable
{
    internal const string DefaultKeySet = "DefaultKey";
    internal const string KeySet = "Key";
    internal const string KeyEnvironmentVariableSet = "KeyEnvironmentVariable";
    internal const string KeyFileSet = "KeyFile";

    private static readonly TimeSpan ProgressAfter = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ProgressEvery = TimeSpan.FromMilliseconds(250);

    private readonly Stopwatch _clock = new();
    private OrderedWork? _work;
    private int _done;
    private int _total = -1;
    private bool _progressShown;
    private TimeSpan _lastProgress;

    /// <summary>The passphrase as a SecureString.</summary>
    [Parameter(Mandatory = true, ParameterSetName = KeySet)]
    [Alias("SecretKey")]
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

    /// <summary>How many key derivations run at once (threads); each may carry a SIMD batch of derivations.</summary>
    [Parameter]
    [ValidateRange(1, 1024)]
    public int ThrottleLimit { get; set; } = Environment.ProcessorCount;

    /// <summary>The passphrase, from whichever source was chosen; zeroed on Dispose.</summary>
    internal FletPassphrase Passphrase { get; private set; } = null!;

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
            switch (ParameterSetName)
            {
                case KeySet:
                    Passphrase = KeySource.FromSecureString(Key!);
                    source = "the -Key SecureString";
                    break;
                case KeyEnvironmentVariableSet:
                    Passphrase = KeySource.FromEnvironment(KeyEnvironmentVariable!, named: true);
                    source = $"the environment variable '{KeyEnvironmentVariable}'";
                    break;
                case KeyFileSet:
                    string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(KeyFile);
                    Passphrase = KeySource.FromFile(path);
                    source = $"the key file '{path}'";
                    string? warning = KeySource.PermissionWarning(path);
                    if (warning is not null) WriteWarning(warning);
                    break;
                default:
                    Passphrase = KeySource.FromEnvironment(KeySource.DefaultVariable, named: false);
                    source = $"the environment variable '{KeySource.DefaultVariable}' (the default)";
                    break;
            }
        }
        catch (KeySourceException e)
        {
            ThrowTerminatingError(ErrorMapping.ForKeySource(e));
            return;
        }

        // Enough items in flight to fill a SIMD batch per derivation thread.
        int lanes = FletKeyDeriver.SimdLanes;
        Deriver = new FletKeyDeriver(Passphrase, ThrottleLimit);
        _work = new OrderedWork(ThrottleLimit * Math.Max(1, lanes));
        WriteVerbose($"Key: {source}. {DescribeSettings()} Derivation threads: {ThrottleLimit}; one key at a time: {FletKeyDeriver.Engine}; " +
            (lanes > 0 ? $"SIMD batches of up to {lanes} from {FletKeyDeriver.SimdThreshold} waiting derivations per free thread." : "no SIMD batches (none would beat one chain at a time here, or no SIMD engine)."));
    }

    /// <summary>Settings for the verbose line (iterations and the like), never key material.</summary>
    internal abstract string DescribeSettings();

    /// <summary>Tells the progress bar how many items there are, when the caller knows.</summary>
    internal void SetTotal(int total) => _total = total;

    /// <summary>Queues one item and writes whatever is ready, in order.</summary>
    internal void Submit(Func<Task<ItemResult>> work)
    {
        _work!.Start(work);
        foreach (ItemResult result in _work.TakeReady()) Write(result);
    }

    /// <summary>Writes every remaining result, in order.</summary>
    protected override void EndProcessing()
    {
        if (_work is null) return;
        foreach (ItemResult result in _work.TakeAll()) Write(result);
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
    internal ItemResult Failure(FletTokenException e, object? target, string iterationsTried) =>
        new(null, ErrorMapping.ForToken(e, target, ErrorMapping.Advice(e.Error, iterationsTried)));

    /// <summary>Waits for running items, then zeroes the passphrase and any derived keys.</summary>
    public void Dispose()
    {
        // Stopped early (Ctrl+C, -ErrorAction Stop): cancel derivations not started, let running ones end.
        Deriver?.Dispose();
        _work?.WaitQuietly();
        DisposeKeys();
        Passphrase?.Dispose();
        GC.SuppressFinalize(this);
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
