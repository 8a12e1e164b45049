using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace FletSecret.Cipher;

/// <summary>
/// Derives the keys of many salts, under one passphrase or several, on a fixed number of worker threads. Derivations that wait
/// together are run side by side in SIMD lanes (16 per core with AVX-512, 8 with AVX2; net8.0 only) once there are
/// enough of them to beat one chain at a time; fewer, or without the instructions, each runs alone (on Linux the
/// native engine over OpenSSL's SHA-256 block function, elsewhere the platform PBKDF2; see <see cref="Engine"/>).
/// </summary>
public sealed class FletKeyDeriver : IDisposable
{
    /// <summary>
    /// The fewest derivations worth a SIMD batch, counted as a thread's share of those waiting when they are spread
    /// over the derivation threads not running a batch (at most one per core); int.MaxValue where no batch pays.
    /// A batch costs the same for 1 or all lanes. Against the platform PBKDF2 a 16-lane batch costs about 3
    /// derivations, so from 4. Against the native single-chain engine (Linux) an 8-lane AVX2 batch costs 9 to 12
    /// single chains, more than the 8 keys it yields, so never; a 16-lane AVX-512 batch, estimated from the figures
    /// of an AVX-512 machine (not measured against this engine), about 10 (docs/performance.md).
    /// </summary>
    public static int SimdThreshold
    {
        get
        {
#if NET8_0_OR_GREATER
            if (NativePbkdf2Sha256.Current.Engine is not null) return Pbkdf2Simd.Lanes >= 16 ? 10 : int.MaxValue;
#endif
            return 4;
        }
    }

    /// <summary>What derives a key one at a time in this process: the native engine, or the fallback and why.</summary>
    public static string Engine => Pbkdf2.Engine;

    /// <summary>How long a worker with fewer than a full batch waits for more derivations to arrive.</summary>
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(2);

    private readonly FletPassphrase? _passphrase;
    private readonly int _workers;
    private readonly LinkedList<Job> _pending = new();
    private readonly List<Thread> _threads = new();
    private readonly object _gate = new();
    private readonly TaskCompletionSource<bool> _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _stopping;
    private int _idle;
    private int _simdRunning;
    private int _running;
    private int _live;
    private int _simdBatches;
    private int _platformDerivations;

    /// <summary>Uses <paramref name="passphrase"/> (not owned) with up to <paramref name="workers"/> threads.</summary>
    public FletKeyDeriver(FletPassphrase passphrase, int workers)
        : this(workers)
    {
        _passphrase = passphrase ?? throw new ArgumentNullException(nameof(passphrase));
    }

    /// <summary>
    /// Up to <paramref name="workers"/> threads for derivations under any passphrase, each given to
    /// <see cref="DeriveAsync(FletPassphrase, byte[], int)"/>: the lanes of one SIMD batch may hold different passphrases
    /// (several keys tried on one token, or an old and a new key in a rotation).
    /// </summary>
    public FletKeyDeriver(int workers)
    {
        if (workers < 1) throw new ArgumentOutOfRangeException(nameof(workers), "At least one worker.");
        _workers = workers;
    }

    /// <summary>Set to "0", the environment variable FLETSECRET_SIMD turns the SIMD engine off (one chain at a time only).</summary>
    public const string SimdSwitch = "FLETSECRET_SIMD";

    private static readonly bool SimdSwitchedOff = Environment.GetEnvironmentVariable(SimdSwitch) == "0";

    /// <summary>
    /// Derivations per SIMD batch on this machine, or 0 where the SIMD engine is not used (or its self-test, which the
    /// first look at this starts in the background, failed).
    /// </summary>
    public static int SimdLanes
    {
        get
        {
#if NET8_0_OR_GREATER
            // Where a full batch costs more than its lanes' keys one at a time, the SIMD engine is not used.
            return !SimdSwitchedOff && SimdThreshold <= Pbkdf2Simd.Lanes && Pbkdf2Simd.MayBeAvailable ? Pbkdf2Simd.Lanes : 0;
#else
            return 0;
#endif
        }
    }

    /// <summary>How many SIMD batches ran so far.</summary>
    public int SimdBatches => Volatile.Read(ref _simdBatches);

    /// <summary>How many worker threads were started.</summary>
    internal int WorkerThreads
    {
        get
        {
            lock (_gate) return _threads.Count;
        }
    }

    /// <summary>
    /// Completes once <see cref="Dispose"/> was called and every worker has ended: after that nothing reads the
    /// passphrase any more, and every key derived after Dispose has been zeroed.
    /// </summary>
    public Task Stopped => _stopped.Task;

    /// <summary>How many derivations wait for a worker (for tests).</summary>
    internal int WaitingJobs
    {
        get
        {
            lock (_gate) return _pending.Count;
        }
    }

    /// <summary>How many derivations ran one at a time (on <see cref="Engine"/>) so far.</summary>
    public int PlatformDerivations => Volatile.Read(ref _platformDerivations);

    /// <summary>Derives the key of <paramref name="salt"/> under the deriver's passphrase; the caller owns (and disposes) the key.</summary>
    public Task<FletKey> DeriveAsync(byte[] salt, int iterations) =>
        DeriveAsync(_passphrase ?? throw new InvalidOperationException("This deriver has no passphrase of its own: give one to DeriveAsync."), salt, iterations);

    /// <summary>
    /// Derives the key of <paramref name="salt"/> under <paramref name="passphrase"/> (not owned: keep it undisposed
    /// until the task ends); the caller owns (and disposes) the key.
    /// </summary>
    public Task<FletKey> DeriveAsync(FletPassphrase passphrase, byte[] salt, int iterations)
    {
        if (passphrase is null) throw new ArgumentNullException(nameof(passphrase));
        if (salt is null) throw new ArgumentNullException(nameof(salt));
        if (salt.Length != Fernet.SaltSize) throw new ArgumentException("A Flet salt is 16 bytes.", nameof(salt));
        FletSecurity.CheckIterations(iterations);
        var job = new Job(passphrase, (byte[])salt.Clone(), iterations);
        lock (_gate)
        {
            if (_stopping) throw new ObjectDisposedException(nameof(FletKeyDeriver));
            _pending.AddLast(job);
            // A new thread only when none is waiting for work: a busy one would leave this job queued behind its batch.
            if (_idle == 0 && _threads.Count < _workers) StartWorker();
            Monitor.Pulse(_gate);
        }
        return job.Completion.Task;
    }

    /// <summary>Derives a key under a fresh random salt.</summary>
    public Task<FletKey> CreateKeyAsync(int iterations) => DeriveAsync(SecureRandom.Bytes(Fernet.SaltSize), iterations);

    /// <summary>Derives a key under a fresh random salt and <paramref name="passphrase"/>.</summary>
    public Task<FletKey> CreateKeyAsync(FletPassphrase passphrase, int iterations) =>
        DeriveAsync(passphrase, SecureRandom.Bytes(Fernet.SaltSize), iterations);

    private void StartWorker()
    {
        var thread = new Thread(Work) { IsBackground = true, Name = "FletSecret key derivation" };
        _threads.Add(thread);
        _live++;
        thread.Start();
    }

    private void Work()
    {
        while (true)
        {
            List<Job>? batch = Take(out bool simd);
            if (batch is null) break;
            Run(batch, simd);
        }
        lock (_gate)
        {
            if (--_live == 0) _stopped.TrySetResult(true);
        }
    }

    /// <summary>
    /// The oldest waiting job and, as a SIMD batch (<paramref name="simd"/>), up to a batch of others with its iteration
    /// count; null to stop.
    /// </summary>
    private List<Job>? Take(out bool simd)
    {
        simd = false;
        int lanes = SimdLanes;
        lock (_gate)
        {
            _idle++;
            while (_pending.Count == 0 && !_stopping) Monitor.Wait(_gate);
            _idle--;
            // Few waiting: give a burst of pipeline input a moment to arrive, so it fills one batch.
            DateTime until = DateTime.UtcNow + Linger;
            while (lanes > 0 && _pending.Count < lanes && !_stopping)
            {
                TimeSpan left = until - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !Monitor.Wait(_gate, left)) break;
            }
            if (_stopping) return null;
            _running++;
            if (_pending.Count == 0) return new List<Job>();

            int iterations = _pending.First!.Value.Iterations;
            var batch = new List<Job>();
            int waiting = 0;
            for (LinkedListNode<Job>? node = _pending.First; node is not null;)
            {
                LinkedListNode<Job>? next = node.Next;
                if (node.Value.Iterations == iterations)
                {
                    waiting++;
                    if (batch.Count < Math.Max(1, lanes))
                    {
                        batch.Add(node.Value);
                        _pending.Remove(node);
                    }
                }
                node = next;
            }
            // A batch when this thread's share of the waiting chains (spread over the threads not running a batch,
            // at most one per core) costs more one at a time than one batch does.
            int free = Math.Max(1, Math.Min(_workers, Environment.ProcessorCount) - _simdRunning);
            simd = lanes > 0 && batch.Count > 1 && (waiting + free - 1) / free >= SimdThreshold;
            if (simd)
            {
                _simdRunning++;
            }
            else if (batch.Count > 1)
            {
                // Take one: the others may go to another free worker at the same time.
                for (int i = batch.Count - 1; i >= 1; i--) _pending.AddFirst(batch[i]);
                batch.RemoveRange(1, batch.Count - 1);
                Monitor.Pulse(_gate);
            }
            return batch;
        }
    }

    // Counts the batch as done under the same lock that hands out its results, so that once a caller sees a key,
    // Dispose finds this worker idle and joins it rather than leaving the zeroing to the background.
    private void Run(List<Job> batch, bool simd)
    {
        bool counted = false;
        if (batch.Count == 0)
        {
            lock (_gate) _running--;
            return;
        }
        var keys = new byte[batch.Count][];
        try
        {
            for (int i = 0; i < batch.Count; i++) keys[i] = new byte[Pbkdf2.KeySize];
#if NET8_0_OR_GREATER
            // The SIMD self-test runs in the background from the first look at SimdLanes; a batch waits for it,
            // and runs one chain at a time should it fail.
            if (simd && Pbkdf2Simd.IsAvailable)
            {
                var passwords = new byte[batch.Count][];
                var salts = new byte[batch.Count][];
                for (int i = 0; i < batch.Count; i++)
                {
                    passwords[i] = batch[i].Passphrase.BytesOrEmpty;
                    salts[i] = batch[i].Salt;
                }
                Pbkdf2Simd.DeriveKeys(passwords, salts, batch[0].Iterations, keys);
                Interlocked.Increment(ref _simdBatches);
            }
            else
#endif
            {
                for (int i = 0; i < batch.Count; i++)
                {
                    Pbkdf2.DeriveKey(batch[i].Passphrase.BytesOrEmpty, batch[i].Salt, batch[i].Iterations, keys[i]);
                    Interlocked.Increment(ref _platformDerivations);
                }
            }
            lock (_gate)
            {
                _running--;
                counted = true;
                // Abandoned by Dispose while it ran (Ctrl+C): nobody takes these keys, so they are zeroed here.
                if (_stopping)
                {
                    foreach (byte[] key in keys) SecureMemory.Zero(key);
                    foreach (Job job in batch) job.Completion.TrySetCanceled();
                    return;
                }
                for (int i = 0; i < batch.Count; i++)
                {
                    // The passphrase (not owned) disposed before or under the derivation: this key came from no bytes or
                    // half-zeroed ones. Only this job fails: the other lanes of a batch may hold other passphrases.
                    if (batch[i].Passphrase.DisposedSinceRead())
                    {
                        SecureMemory.Zero(keys[i]);
                        batch[i].Completion.TrySetException(new ObjectDisposedException(nameof(FletPassphrase)));
                    }
                    else
                    {
                        batch[i].Completion.TrySetResult(new FletKey(keys[i], batch[i].Salt, batch[i].Iterations));
                    }
                }
            }
        }
        catch (Exception e)
        {
            foreach (byte[]? key in keys) SecureMemory.Zero(key);
            bool stopping;
            lock (_gate)
            {
                if (!counted) _running--;
                stopping = _stopping;
            }
            foreach (Job job in batch)
            {
                if (stopping) job.Completion.TrySetCanceled();
                else job.Completion.TrySetException(e);
            }
        }
        finally
        {
            if (simd)
            {
                lock (_gate) _simdRunning--;
            }
        }
    }

    /// <summary>
    /// Cancels the derivations not started and returns at once: a running derivation cannot be interrupted, so it
    /// ends on its worker in the background, which zeroes its key and cancels its task (see <see cref="Stopped"/>).
    /// With nothing running, the idle workers are joined before this returns, and <see cref="Stopped"/> is complete.
    /// </summary>
    public void Dispose()
    {
        List<Thread> threads;
        lock (_gate)
        {
            if (_stopping) return;
            _stopping = true;
            foreach (Job job in _pending) job.Completion.TrySetCanceled();
            _pending.Clear();
            Monitor.PulseAll(_gate);
            if (_live == 0) _stopped.TrySetResult(true);
            if (_running > 0) return;
            threads = new List<Thread>(_threads);
        }
        foreach (Thread thread in threads) thread.Join();
    }

    private sealed class Job
    {
        public Job(FletPassphrase passphrase, byte[] salt, int iterations)
        {
            Passphrase = passphrase;
            Salt = salt;
            Iterations = iterations;
        }

        public FletPassphrase Passphrase { get; }

        public byte[] Salt { get; }
        public int Iterations { get; }

        // Continuations run on the thread pool, never on a derivation thread.
        public TaskCompletionSource<FletKey> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
