using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

namespace FletSecret.Cipher;

/// <summary>
/// Derives the keys of many salts, under one passphrase or several, on a fixed number of worker threads. Derivations that wait
/// together are run side by side in SIMD lanes (16 per core with AVX-512, 8 with AVX2; net8.0 only) where the plan
/// made from the measured costs of both engines (<see cref="Costs"/>, <see cref="DerivationPlanner"/>) says that
/// beats one chain at a time; otherwise, or without the instructions, each runs alone (on Linux the
/// native engine over OpenSSL's SHA-256 block function, elsewhere the platform PBKDF2; see <see cref="Engine"/>).
/// </summary>
public sealed class FletKeyDeriver : IDisposable
{
    /// <summary>
    /// What a chain and a SIMD batch cost in this process, from which each batch is planned
    /// (<see cref="DerivationPlanner"/>): measured once, on the thread pool after the SIMD self-test (so off the
    /// caller's path), by timing a short run of each engine; until then an estimate. No lanes where the SIMD engine
    /// is switched off, missing or failed its self-test.
    /// </summary>
    public static DerivationCosts Costs
    {
        get
        {
#if NET8_0_OR_GREATER
            if (SimdSwitchedOff || !Pbkdf2Simd.MayBeAvailable) return NoSimd;
            if (Volatile.Read(ref _measuringStarted) == 0 && Interlocked.Exchange(ref _measuringStarted, 1) == 0)
            {
                ThreadPool.UnsafeQueueUserWorkItem(_ =>
                {
                    DerivationCosts costs;
                    try
                    {
                        if (!Pbkdf2Simd.IsAvailable) return;
                        costs = MeasureCosts();
                    }
                    catch (Exception)
                    {
                        // A fault on the thread pool would end the process: without a measurement, no batches.
                        costs = NoSimd;
                    }
                    Volatile.Write(ref _measured, new StrongBox<DerivationCosts>(costs));
                }, null);
            }
            StrongBox<DerivationCosts>? measured = Volatile.Read(ref _measured);
            if (measured is not null) return measured.Value;
            // Estimates from bench/crossover on a Zen 5 processor with SHA-NI, rounded up, per 100000 iterations: a
            // chain of the native engine about 10 ms, of the platform PBKDF2 20; a 16-lane AVX-512 batch about 45,
            // an 8-lane AVX2 batch about 70 (there with AVX-512 switched off).
            bool native = NativePbkdf2Sha256.Current.Engine is not null;
            int lanes = Pbkdf2Simd.Lanes;
            return new DerivationCosts(native ? 10 : 20, lanes >= 16 ? 45 : 70, lanes, 100_000, measured: false);
#else
            return NoSimd;
#endif
        }
    }

    private static readonly DerivationCosts NoSimd = new(10, 10, 0, 100_000, measured: false);

#if NET8_0_OR_GREATER
    private static int _measuringStarted;
    private static StrongBox<DerivationCosts>? _measured;

    /// <summary>
    /// Times <paramref name="rounds"/> single chains and full SIMD batches of <paramref name="iterations"/>, in turn,
    /// and keeps the fastest of each: the least disturbed by other work on the machine.
    /// </summary>
    internal static DerivationCosts MeasureCosts(int iterations = 5000, int rounds = 5)
    {
        int lanes = Pbkdf2Simd.Lanes;
        // Not a secret: any bytes cost the same.
        byte[] password = new byte[24], salt = new byte[Fernet.SaltSize], key = new byte[Pbkdf2.KeySize];
        var passwords = new byte[lanes][];
        var salts = new byte[lanes][];
        var keys = new byte[lanes][];
        for (int lane = 0; lane < lanes; lane++)
        {
            passwords[lane] = password;
            salts[lane] = salt;
            keys[lane] = new byte[Pbkdf2.KeySize];
        }
        double chain = double.MaxValue, batch = double.MaxValue;
        var watch = new Stopwatch();
        for (int round = -1; round < rounds; round++)
        {
            watch.Restart();
            Pbkdf2.DeriveKey(password, salt, iterations, key);
            if (round >= 0) chain = Math.Min(chain, watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            Pbkdf2Simd.DeriveKeys(passwords, salts, iterations, keys);
            if (round >= 0) batch = Math.Min(batch, watch.Elapsed.TotalMilliseconds);
        }
        return new DerivationCosts(chain, batch, lanes, iterations, measured: true);
    }
#endif

    /// <summary>What derives keys here and how batches are chosen, for the verbose line of a cmdlet.</summary>
    public static string DescribeEngines(int threads)
    {
        DerivationCosts costs = Costs;
        string single = $"one key at a time: {Engine}; ";
        if (costs.Lanes == 0) return single + "no SIMD batches (no SIMD engine, or FLETSECRET_SIMD=0).";
        if (!costs.BatchPays) return single + $"no SIMD batches: one costs more than its lanes one at a time ({costs}).";
        int free = Math.Max(1, Math.Min(threads, Environment.ProcessorCount));
        int fewest = DerivationPlanner.FewestForBatch(costs, free, 4 * costs.Lanes * free);
        string threadsText = free == 1 ? "1 idle derivation thread" : $"{free} idle derivation threads";
        return single + $"SIMD batches of up to {costs.Lanes}, planned from the costs ({costs}): with {threadsText} " +
            (fewest > 0 ? $"a batch from {fewest} waiting derivations." : "none up to a few batches' worth.");
    }

    /// <summary>What derives a key one at a time in this process: the native engine, or the fallback and why.</summary>
    public static string Engine => Pbkdf2.Engine;

    /// <summary>How long a worker with fewer than a full batch waits for more derivations to arrive.</summary>
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// How long a worker about to run a batch planned from the estimate waits for this process's measurement (which
    /// takes a few tens of ms from the first look at <see cref="Costs"/>); after that it plans from the estimate.
    /// </summary>
    private static readonly TimeSpan MeasurementWait = TimeSpan.FromMilliseconds(150);

    private readonly FletPassphrase? _passphrase;
    private readonly int _workers;
    private readonly Func<DerivationCosts> _costs = () => Costs;
    private readonly LinkedList<Job> _pending = new();
    private readonly List<Piece> _runningPieces = new();
    private readonly List<Thread> _threads = new();
    private readonly object _gate = new();
    private readonly TaskCompletionSource<bool> _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _stopping;
    private bool _nothingMoreComing;
    private int _idle;
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

    /// <summary>As above, planning from given <paramref name="costs"/> instead of this process's (for tests).</summary>
    internal FletKeyDeriver(FletPassphrase passphrase, int workers, DerivationCosts costs) : this(passphrase, workers, () => costs)
    {
    }

    /// <summary>As above, planning from what <paramref name="costs"/> says at each take (for tests: a measurement coming in).</summary>
    internal FletKeyDeriver(FletPassphrase passphrase, int workers, Func<DerivationCosts> costs) : this(passphrase, workers)
    {
        _costs = costs ?? throw new ArgumentNullException(nameof(costs));
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
            DerivationCosts costs = Costs;
            return costs.BatchPays ? costs.Lanes : 0;
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
            _nothingMoreComing = false;
            // A new thread only when none is waiting for work: a busy one would leave this job queued behind its batch.
            if (_idle == 0 && _threads.Count < _workers) StartWorker();
            Monitor.Pulse(_gate);
        }
        return job.Completion.Task;
    }

    /// <summary>
    /// Says that no more derivations come until those asked for have ended (the caller now waits for them: a slow
    /// upstream, or the end of the input), so no worker lingers for a fuller batch; the next <see cref="DeriveAsync(FletPassphrase, byte[], int)"/>
    /// undoes it.
    /// </summary>
    public void NothingMoreComing()
    {
        lock (_gate)
        {
            _nothingMoreComing = true;
            Monitor.PulseAll(_gate);
        }
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
        bool started = true;
        while (true)
        {
            List<Job>? batch = Take(started, out bool simd, out Piece? piece);
            started = false;
            if (batch is null) break;
            try
            {
                Run(batch, simd);
            }
            finally
            {
                if (piece is not null)
                {
                    lock (_gate) _runningPieces.Remove(piece);
                }
            }
        }
        lock (_gate)
        {
            if (--_live == 0) _stopped.TrySetResult(true);
        }
    }

    /// <summary>
    /// The oldest waiting job and, as a SIMD batch (<paramref name="simd"/>), up to a batch of others with its iteration
    /// count; null to stop. <paramref name="started"/>: the first call of a new worker thread.
    /// </summary>
    private List<Job>? Take(bool started, out bool simd, out Piece? piece)
    {
        simd = false;
        piece = null;
        lock (_gate)
        {
            _idle++;
            // A thread just started by a burst, or woken by one, lingers for the rest of it (below).
            bool waited = started || _pending.Count == 0;
            while (_pending.Count == 0 && !_stopping) Monitor.Wait(_gate);
            _idle--;
            // Read after the wait: the measurement may have come in meanwhile.
            DerivationCosts costs = _costs();
            int lanes = costs.BatchPays ? costs.Lanes : 0;
            // At the start of a burst of pipeline input: give the rest a moment to arrive, so it fills one batch (and a
            // second thread does not plan from its first few). Derivations that queued while this thread ran a piece
            // are all here already.
            // A Stopwatch, not the wall clock: a clock set back under the wait would make it last that much longer.
            var waitedFor = Stopwatch.StartNew();
            while (waited && lanes > 0 && _pending.Count < lanes && !_stopping && !_nothingMoreComing)
            {
                TimeSpan left = Linger - waitedFor.Elapsed;
                if (left <= TimeSpan.Zero || !Monitor.Wait(_gate, left)) break;
            }
            if (_stopping) return null;
            if (_pending.Count == 0)
            {
                _running++;
                return new List<Job>();
            }

            int iterations = _pending.First!.Value.Iterations;
            // The estimate is another machine's figures (a Zen 5's): where the CPU's batches cost more, or its chains
            // less, a batch planned from it can end later than the chains would. So a batch waits for this machine's
            // measurement (it came in a few tens of ms after the first look at the costs); a chain never waits.
            if (lanes > 0 && !costs.Measured && PlanFor(costs, iterations, CountWaiting(iterations)).Simd)
            {
                waitedFor.Restart();
                while (!costs.Measured && costs.BatchPays && !_stopping)
                {
                    TimeSpan left = MeasurementWait - waitedFor.Elapsed;
                    if (left <= TimeSpan.Zero) break;
                    Monitor.Wait(_gate, left < PollInterval ? left : PollInterval);
                    costs = _costs();
                }
                lanes = costs.BatchPays ? costs.Lanes : 0;
                if (_stopping) return null;
                if (_pending.Count == 0)
                {
                    _running++;
                    return new List<Job>();
                }
                iterations = _pending.First!.Value.Iterations;
            }
            _running++;
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
            DerivationCosts scaled = costs.For(iterations);
            simd = lanes > 0 && PlanFor(costs, iterations, waiting).Simd;
            piece = new Piece(Stopwatch.GetTimestamp(), simd ? scaled.Batch : scaled.Chain);
            _runningPieces.Add(piece);
            if (!simd && batch.Count > 1)
            {
                // Take one: the others may go to another free worker at the same time.
                for (int i = batch.Count - 1; i >= 1; i--) _pending.AddFirst(batch[i]);
                batch.RemoveRange(1, batch.Count - 1);
                Monitor.Pulse(_gate);
            }
            // The plan counted every derivation thread as free; where what is left has no idle one to take it (it all
            // arrived before this one woke, so DeriveAsync started none), start it, or the rest waits for this piece.
            if (_pending.Count > 0 && _idle == 0 && _threads.Count < _workers) StartWorker();
            return batch;
        }
    }

    /// <summary>How often a worker looks again for the measurement while it waits for it.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(1);

    /// <summary>How many derivations of <paramref name="iterations"/> wait (under the lock).</summary>
    private int CountWaiting(int iterations)
    {
        int waiting = 0;
        foreach (Job job in _pending) if (job.Iterations == iterations) waiting++;
        return waiting;
    }

    /// <summary>
    /// The plan for <paramref name="waiting"/> derivations of <paramref name="iterations"/> over the derivation threads
    /// (at most one per core): the idle ones, and those running a piece once it ends (under the lock). The asking thread
    /// takes the plan's first piece.
    /// </summary>
    private DerivationPlan PlanFor(DerivationCosts costs, int iterations, int waiting)
    {
        DerivationCosts scaled = costs.For(iterations);
        int threads = Math.Min(_workers, Environment.ProcessorCount);
        var busy = new List<double>(_runningPieces.Count);
        long now = Stopwatch.GetTimestamp();
        foreach (Piece running in _runningPieces) busy.Add(running.Left(now));
        busy.Sort();
        if (busy.Count > threads - 1) busy.RemoveRange(Math.Max(0, threads - 1), busy.Count - Math.Max(0, threads - 1));
        return DerivationPlanner.Plan(scaled, threads - busy.Count, busy, waiting);
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

    /// <summary>A batch or a chain running on a worker: when it started and what it is expected to cost (ms).</summary>
    private sealed class Piece
    {
        private readonly long _started;
        private readonly double _cost;

        public Piece(long started, double cost)
        {
            _started = started;
            _cost = cost;
        }

        /// <summary>What is left of it at <paramref name="now"/> (a Stopwatch timestamp), by the expected cost.</summary>
        public double Left(long now) => Math.Max(0, _cost - (now - _started) * 1000.0 / Stopwatch.Frequency);
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
