using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace FletSecret.Cipher.Tests;

/// <summary>FletKeyDeriver: batched derivations give the same keys as one at a time, on both builds.</summary>
public class FletKeyDeriverTests
{
    private static byte[] Salt(int seed)
    {
        var salt = new byte[16];
        new Random(seed).NextBytes(salt);
        return salt;
    }

    private static string Expected(FletPassphrase passphrase, byte[] salt, int iterations)
    {
        var key = new byte[32];
        Pbkdf2.DeriveKey(passphrase.Bytes, salt, iterations, key);
        return Codec.ToHex(key);
    }

    [Fact]
    public async Task Forty_waiting_derivations_give_the_keys_of_one_at_a_time_and_use_SIMD_batches_where_there_is_an_engine()
    {
        using var passphrase = new FletPassphrase("deriver passphrase 🔑");
        using var deriver = new FletKeyDeriver(passphrase, workers: 2);
        byte[][] salts = Enumerable.Range(0, 40).Select(Salt).ToArray();

        FletKey[] keys = await Task.WhenAll(salts.Select(salt => deriver.DeriveAsync(salt, 3000)));

        for (int i = 0; i < salts.Length; i++)
        {
            Assert.Equal(salts[i], keys[i].GetSalt());
            Assert.Equal(Expected(passphrase, salts[i], 3000), Codec.ToHex(keys[i].KeyBytes));
            keys[i].Dispose();
        }
        if (FletKeyDeriver.SimdLanes > 0) Assert.True(deriver.SimdBatches >= 2, $"SIMD batches: {deriver.SimdBatches}");
        else Assert.Equal(40, deriver.PlatformDerivations);
    }

    [Fact]
    public async Task Mixed_iteration_counts_each_get_their_own_count()
    {
        using var passphrase = new FletPassphrase("mixed counts");
        using var deriver = new FletKeyDeriver(passphrase, workers: 2);
        var jobs = Enumerable.Range(0, 24).Select(i => (Salt: Salt(100 + i), Iterations: i % 3 == 0 ? 1000 : 1500)).ToArray();

        FletKey[] keys = await Task.WhenAll(jobs.Select(job => deriver.DeriveAsync(job.Salt, job.Iterations)));

        for (int i = 0; i < jobs.Length; i++)
        {
            Assert.Equal(jobs[i].Iterations, keys[i].Iterations);
            Assert.Equal(Expected(passphrase, jobs[i].Salt, jobs[i].Iterations), Codec.ToHex(keys[i].KeyBytes));
            keys[i].Dispose();
        }
    }

    [Fact]
    public async Task A_lone_derivation_runs_on_the_platform_PBKDF2()
    {
        using var passphrase = new FletPassphrase("alone");
        using var deriver = new FletKeyDeriver(passphrase, workers: 2);
        using FletKey key = await deriver.CreateKeyAsync(2000);
        Assert.Equal(Expected(passphrase, key.GetSalt(), 2000), Codec.ToHex(key.KeyBytes));
        Assert.Equal(1, deriver.PlatformDerivations);
        Assert.Equal(0, deriver.SimdBatches);
    }

    private static async Task<FletKeyDeriver> DeriveAll(FletPassphrase passphrase, DerivationCosts costs, int workers, int jobs)
    {
        var deriver = new FletKeyDeriver(passphrase, workers, costs);
        byte[][] salts = Enumerable.Range(0, jobs).Select(i => Salt(300 + i)).ToArray();
        FletKey[] keys = await Task.WhenAll(salts.Select(salt => deriver.DeriveAsync(salt, 2000)));
        for (int i = 0; i < jobs; i++)
        {
            Assert.Equal(Expected(passphrase, salts[i], 2000), Codec.ToHex(keys[i].KeyBytes));
            keys[i].Dispose();
        }
        deriver.Dispose();
        return deriver;
    }

    [Fact]
    public async Task Work_left_behind_by_the_only_worker_starts_a_second_one_where_none_is_idle()
    {
        if (Environment.ProcessorCount < 2) return; // one derivation thread per core: a second would never be planned
        using var passphrase = new FletPassphrase("left behind");
        using var deriver = new FletKeyDeriver(passphrase, workers: 2);
        // The first worker, now idle.
        (await deriver.CreateKeyAsync(1000)).Dispose();
        Assert.Equal(1, deriver.WorkerThreads);
        // Two derivations arrive before the idle worker wakes (as pipeline input can): it takes one and leaves the
        // other for a second worker, which must then exist, or the two run one after the other.
        const System.Reflection.BindingFlags Private = System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance;
        object gate = typeof(FletKeyDeriver).GetField("_gate", Private)!.GetValue(deriver)!;
        System.Reflection.FieldInfo idle = typeof(FletKeyDeriver).GetField("_idle", Private)!;
        SpinWait.SpinUntil(() => { lock (gate) return (int)idle.GetValue(deriver)! == 1; }, TimeSpan.FromSeconds(10));
        Task<FletKey> first, second;
        lock (gate)
        {
            first = deriver.DeriveAsync(Salt(700), 200_000);
            second = deriver.DeriveAsync(Salt(701), 200_000);
        }
        FletKey[] keys = await Task.WhenAll(first, second);
        Assert.Equal(Expected(passphrase, Salt(700), 200_000), Codec.ToHex(keys[0].KeyBytes));
        Assert.Equal(Expected(passphrase, Salt(701), 200_000), Codec.ToHex(keys[1].KeyBytes));
        foreach (FletKey key in keys) key.Dispose();
        Assert.Equal(2, deriver.WorkerThreads);
        Assert.Equal(0, deriver.SimdBatches);
    }

    [Fact]
    public async Task A_batch_planned_from_the_estimate_waits_for_the_measurement_and_follows_it()
    {
        int lanes = FletKeyDeriver.Costs.Lanes;
        using var passphrase = new FletPassphrase("estimated");
        if (lanes == 0)
        {
            // No SIMD engine: nothing to wait for, every derivation is a chain.
            FletKeyDeriver none = await DeriveAll(passphrase, new DerivationCosts(10, 11, 0, 2000, measured: false), 1, 4);
            Assert.Equal(4, none.PlatformDerivations);
            return;
        }
        // The estimate says a lane costs 0.3 of a chain (a batch of all lanes); this machine's measurement, in 30 ms
        // after the first look, says 1.5 (a Zen 4-like double-pumped AVX-512 against SHA-NI chains): chains only.
        var clock = new System.Diagnostics.Stopwatch();
        DerivationCosts Source()
        {
            if (!clock.IsRunning) clock.Start();
            return clock.ElapsedMilliseconds < 30
                ? new DerivationCosts(10, 0.3 * lanes * 10, lanes, 2000, measured: false)
                : new DerivationCosts(10, 1.5 * lanes * 10, lanes, 2000, measured: true);
        }
        var deriver = new FletKeyDeriver(passphrase, 1, Source);
        FletKey[] keys = await Task.WhenAll(Enumerable.Range(0, lanes).Select(i => deriver.DeriveAsync(Salt(500 + i), 2000)));
        for (int i = 0; i < lanes; i++)
        {
            Assert.Equal(Expected(passphrase, Salt(500 + i), 2000), Codec.ToHex(keys[i].KeyBytes));
            keys[i].Dispose();
        }
        deriver.Dispose();
        Assert.Equal(0, deriver.SimdBatches);
        Assert.Equal(lanes, deriver.PlatformDerivations);

        // A measurement that never comes (the thread pool starved): the wait ends and the estimate's batch runs.
        FletKeyDeriver unmeasured = await DeriveAll(passphrase, new DerivationCosts(10, 0.3 * lanes * 10, lanes, 2000, measured: false), 1, lanes);
        Assert.Equal(1, unmeasured.SimdBatches);
    }

    [Fact]
    public async Task Batches_follow_the_plan_made_from_the_given_costs()
    {
        int lanes = FletKeyDeriver.Costs.Lanes;
        using var passphrase = new FletPassphrase("planned");
        if (lanes == 0)
        {
            // No SIMD engine (or switched off): even costs that favour a batch run one chain at a time.
            FletKeyDeriver all = await DeriveAll(passphrase, new DerivationCosts(10, 11, 0, 2000, measured: true), 1, 12);
            Assert.Equal(0, all.SimdBatches);
            Assert.Equal(12, all.PlatformDerivations);
            return;
        }
        // A batch of 16 lanes at 0.4 of a chain each: 17 on one worker are a batch of 16 and one chain.
        FletKeyDeriver mixed = await DeriveAll(passphrase, new DerivationCosts(10, 0.4 * lanes * 10, lanes, 2000, measured: true), 1, lanes + 1);
        Assert.Equal(1, mixed.SimdBatches);
        Assert.Equal(1, mixed.PlatformDerivations);
        // A batch barely dearer than two chains: two waiting are one batch, one waiting a chain.
        Assert.Equal(1, (await DeriveAll(passphrase, new DerivationCosts(10, 19, lanes, 2000, measured: true), 1, 2)).SimdBatches);
        Assert.Equal(0, (await DeriveAll(passphrase, new DerivationCosts(10, 19, lanes, 2000, measured: true), 1, 1)).SimdBatches);
        // A batch dearer than its lanes one at a time: a full queue on two workers runs no batch.
        FletKeyDeriver dear = await DeriveAll(passphrase, new DerivationCosts(10, 10.5 * lanes, lanes, 2000, measured: true), 2, 2 * lanes);
        Assert.Equal(0, dear.SimdBatches);
        Assert.Equal(2 * lanes, dear.PlatformDerivations);
    }

    [Fact]
    public void The_costs_of_this_process_are_measured_in_the_background_and_said_in_the_description()
    {
        DerivationCosts costs = FletKeyDeriver.Costs;
        string description = FletKeyDeriver.DescribeEngines(2);
        Assert.StartsWith($"one key at a time: {FletKeyDeriver.Engine}; ", description);
        if (costs.Lanes == 0)
        {
            Assert.Contains("no SIMD batches", description);
            return;
        }
        // The measurement starts on the first look and ends in well under a second; until then, the estimate.
        Assert.True(SpinWait.SpinUntil(() => FletKeyDeriver.Costs.Measured, TimeSpan.FromSeconds(60)), "the costs were never measured");
        costs = FletKeyDeriver.Costs;
        Assert.True(costs.Chain > 0 && costs.Batch > 0 && costs.Iterations > 0);
        Assert.Contains("measured at", FletKeyDeriver.DescribeEngines(2));
        Assert.Equal(costs.BatchPays ? costs.Lanes : 0, FletKeyDeriver.SimdLanes);
    }

    [Fact]
    public async Task Jobs_queued_while_every_worker_is_busy_start_another_worker_up_to_the_limit()
    {
        using var passphrase = new FletPassphrase("two workers");
        using var deriver = new FletKeyDeriver(passphrase, workers: 2);
        // The first worker takes a long derivation; the jobs queued while it runs must start the second worker. (Short
        // jobs alone made this a race: a fast engine could finish the first and sit idle before the next was queued.)
        Task<FletKey> first = deriver.DeriveAsync(Salt(200), 1_000_000);
        Assert.True(SpinWait.SpinUntil(() => deriver.WaitingJobs == 0, TimeSpan.FromSeconds(30)), "the first worker never took its job");
        Task<FletKey>[] rest = Enumerable.Range(1, 5).Select(i => deriver.DeriveAsync(Salt(200 + i), 20_000)).ToArray();
        foreach (FletKey key in await Task.WhenAll(rest.Prepend(first))) key.Dispose();
        Assert.Equal(2, deriver.WorkerThreads);
    }

    [Fact]
    public async Task One_batch_of_several_passphrases_gives_each_job_its_own_key_and_a_disposed_one_fails_only_its_own_jobs()
    {
        using var first = new FletPassphrase("rotation: the old key");
        using var second = new FletPassphrase("rotation: the new key, longer than one SHA-256 block of sixty-four bytes, so hashed");
        var gone = new FletPassphrase("disposed by its owner before the batch ran");
        gone.Dispose();
        using var deriver = new FletKeyDeriver(workers: 1);
        // The one worker takes a long derivation; the jobs queued meanwhile wait together, as one batch where SIMD runs.
        Task<FletKey> busy = deriver.DeriveAsync(first, Salt(300), 300_000);
        Assert.True(SpinWait.SpinUntil(() => deriver.WaitingJobs == 0, TimeSpan.FromSeconds(30)), "the worker never took its job");
        FletPassphrase[] owners = Enumerable.Range(0, 16).Select(i => i % 4 == 3 ? gone : i % 2 == 0 ? first : second).ToArray();
        Task<FletKey>[] jobs = owners.Select((owner, i) => deriver.DeriveAsync(owner, Salt(310 + i), 2000)).ToArray();

        (await busy).Dispose();
        for (int i = 0; i < jobs.Length; i++)
        {
            if (owners[i] == gone)
            {
                await Assert.ThrowsAsync<ObjectDisposedException>(() => jobs[i]);
                continue;
            }
            using FletKey key = await jobs[i];
            Assert.Equal(Expected(owners[i], Salt(310 + i), 2000), Codec.ToHex(key.KeyBytes));
        }
        if (FletKeyDeriver.SimdLanes >= 16) Assert.Equal(1, deriver.SimdBatches);
    }

    [Fact]
    public async Task Dispose_cancels_what_has_not_started_and_does_not_hang()
    {
        using var passphrase = new FletPassphrase("stop early");
        var deriver = new FletKeyDeriver(passphrase, workers: 1);
        Task<FletKey>[] tasks = Enumerable.Range(0, 64).Select(i => deriver.DeriveAsync(Salt(i), 20_000)).ToArray();
        deriver.Dispose();

        foreach (Task<FletKey> task in tasks)
        {
            try
            {
                (await task).Dispose();
            }
            catch (OperationCanceledException)
            {
            }
        }
        Assert.Contains(tasks, t => t.IsCanceled);
        Assert.Throws<ObjectDisposedException>(() => { _ = deriver.DeriveAsync(Salt(1), 1); });
    }

    [Fact]
    public async Task Dispose_returns_while_a_derivation_runs_and_that_derivation_gives_no_key_when_it_ends()
    {
        using var passphrase = new FletPassphrase("stop while running");
        var deriver = new FletKeyDeriver(passphrase, workers: 1);
        Task<FletKey> running = deriver.DeriveAsync(Salt(7), 5_000_000);
        // Wait until the worker has taken the job (it is no longer cancellable), then stop.
        while (deriver.WaitingJobs > 0) await Task.Delay(5);
        deriver.Dispose();
        Assert.False(running.IsCompleted, "Dispose waited for the running derivation.");
        Assert.False(deriver.Stopped.IsCompleted);

        await deriver.Stopped;
        // The key derived after Dispose was zeroed by the worker and never handed out.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        Assert.True(running.IsCanceled);
    }

    [Fact]
    public async Task Dispose_with_nothing_running_has_stopped_every_worker_when_it_returns()
    {
        using var passphrase = new FletPassphrase("idle stop");
        var deriver = new FletKeyDeriver(passphrase, workers: 2);
        (await deriver.DeriveAsync(Salt(3), 10)).Dispose();
        deriver.Dispose();
        Assert.True(deriver.Stopped.IsCompleted);

        var unused = new FletKeyDeriver(passphrase, workers: 1);
        unused.Dispose();
        Assert.True(unused.Stopped.IsCompleted);
    }
}
