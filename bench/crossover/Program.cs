using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;

namespace FletSecret.Cipher;

/// <summary>
/// 1. One derivation each way, interleaved in one process: the platform PBKDF2, the single-chain engine, one SIMD
///    batch of the current kernel and one of the previous kernel (before issue 22), and their ratio. 2. The costs
///    FletKeyDeriver measured in this process. 3. For 1..N derivations submitted at once: FletKeyDeriver as it
///    plans, every derivation one chain at a time on every core, and every derivation in SIMD batches on every core
///    (minimum of the rounds, in ms), beside the planner's choice for N waiting on idle threads.
/// </summary>
internal static class Program
{
    private static void Main(string[] args)
    {
        int iterations = args.Length > 0 ? int.Parse(args[0]) : 100_000;
        int rounds = args.Length > 1 ? int.Parse(args[1]) : 3;
        int largest = args.Length > 2 ? int.Parse(args[2]) : 64;
        int lanes = Pbkdf2Simd.Lanes, workers = Environment.ProcessorCount;
        Console.WriteLine($"{iterations} iterations, {workers} cores, {lanes} SIMD lanes; one key at a time: {FletKeyDeriver.Engine}");
        if (lanes == 0 || NativePbkdf2Sha256.Current.Engine is null) return;

        byte[] password = "benchmark passphrase"u8.ToArray(), salt = new byte[16], key = new byte[32];
        byte[][] passwords = Enumerable.Repeat(password, lanes).ToArray(), salts = Enumerable.Repeat(salt, lanes).ToArray();
        byte[][] keys = Enumerable.Range(0, lanes).Select(_ => new byte[32]).ToArray();
        var one = new List<(string Name, Action Run)>
        {
            ("platform PBKDF2", () => Rfc2898DeriveBytes.Pbkdf2(password, salt, key, iterations, HashAlgorithmName.SHA256)),
            ("single-chain engine", () => NativePbkdf2Sha256.Current.Engine!.TryDeriveKey(password, salt, iterations, key)),
            ($"SIMD batch of {lanes}", () => Pbkdf2Simd.DeriveKeys(passwords, salts, iterations, keys)),
            ($"SIMD batch of {lanes}, previous kernel", () => PreviousPbkdf2Simd.DeriveKeys(passwords, salts, iterations, keys, lanes)),
        }.ToList();
        // Where the CPU has AVX-512, the 8-lane AVX2 kernel too, both versions (the structure is shared).
        if (lanes == 16)
        {
            byte[][] passwords8 = passwords.Take(8).ToArray(), salts8 = salts.Take(8).ToArray(), keys8 = keys.Take(8).ToArray();
            one.Add(("SIMD batch of 8 (AVX2)", () => Pbkdf2Simd.DeriveKeys(passwords8, salts8, iterations, keys8, 8)));
            one.Add(("SIMD batch of 8 (AVX2), previous kernel", () => PreviousPbkdf2Simd.DeriveKeys(passwords8, salts8, iterations, keys8, 8)));
        }
        var samples = one.ToDictionary(c => c.Name, _ => new List<double>());
        foreach (var c in one) c.Run();
        var watch = new Stopwatch();
        for (int r = 0; r < 2 * rounds + 1; r++)
        {
            foreach (var c in one)
            {
                watch.Restart();
                c.Run();
                samples[c.Name].Add(watch.Elapsed.TotalMilliseconds);
            }
        }
        double engineMin = samples["single-chain engine"].Min();
        Console.WriteLine("| One derivation (batch: all its lanes) | Min ms | Median ms | x single-chain engine (min) |");
        Console.WriteLine("|---|---:|---:|---:|");
        foreach (var (name, list) in samples)
        {
            list.Sort();
            Console.WriteLine($"| {name} | {list[0]:0.0} | {list[list.Count / 2]:0.0} | {list[0] / engineMin:0.00} |");
        }
        double current = samples[$"SIMD batch of {lanes}"][0], previous = samples[$"SIMD batch of {lanes}, previous kernel"][0];
        Console.WriteLine($"Kernel: the current batch costs {current / previous:0.00} x the previous one (min), " +
            $"{previous / current:0.00} x as fast; a lane {current / lanes / engineMin:0.00} of a single chain (previous {previous / lanes / engineMin:0.00}).");
        if (lanes == 16)
        {
            double current8 = samples["SIMD batch of 8 (AVX2)"][0], previous8 = samples["SIMD batch of 8 (AVX2), previous kernel"][0];
            Console.WriteLine($"Kernel, 8 AVX2 lanes: the current batch costs {current8 / previous8:0.00} x the previous one (min), {previous8 / current8:0.00} x as fast; " +
                $"a lane {current8 / 8 / engineMin:0.00} of a single chain (previous {previous8 / 8 / engineMin:0.00}).");
        }

        // What FletKeyDeriver plans from: measured in the background from the first look.
        _ = FletKeyDeriver.Costs;
        SpinWait.SpinUntil(() => FletKeyDeriver.Costs.Measured, TimeSpan.FromSeconds(30));
        DerivationCosts costs = FletKeyDeriver.Costs;
        Console.WriteLine($"FletKeyDeriver: {FletKeyDeriver.DescribeEngines(workers)}");
        string Choice(int n)
        {
            DerivationPlan plan = DerivationPlanner.Plan(costs, workers, n);
            int chains = Math.Max(0, n - plan.Batches * lanes);
            string first = plan.Simd ? $"batch of {plan.Take}" : "chain";
            return $"{first} ({plan.Batches} batches + {chains} chains)";
        }

        using var passphrase = new FletPassphrase("benchmark passphrase");
        var random = new Random(1);
        byte[] Salt()
        {
            var s = new byte[16];
            lock (random) random.NextBytes(s);
            return s;
        }
        string ran = "";
        double Deriver(int n)
        {
            using var deriver = new FletKeyDeriver(passphrase, workers);
            var w = Stopwatch.StartNew();
            Task<FletKey>[] tasks = Enumerable.Range(0, n).Select(_ => deriver.DeriveAsync(Salt(), iterations)).ToArray();
            foreach (Task<FletKey> t in tasks) t.GetAwaiter().GetResult().Dispose();
            double ms = w.Elapsed.TotalMilliseconds;
            ran = $"{deriver.SimdBatches} batches + {deriver.PlatformDerivations} chains";
            return ms;
        }
        double OneAtATime(int n)
        {
            var w = Stopwatch.StartNew();
            Parallel.For(0, n, new ParallelOptions { MaxDegreeOfParallelism = workers },
                _ => Pbkdf2.DeriveKey(password, Salt(), iterations, new byte[32]));
            return w.Elapsed.TotalMilliseconds;
        }
        double AllSimd(int n)
        {
            var w = Stopwatch.StartNew();
            int[] batches = Enumerable.Range(0, (n + lanes - 1) / lanes).Select(b => Math.Min(lanes, n - b * lanes)).ToArray();
            Parallel.ForEach(batches, new ParallelOptions { MaxDegreeOfParallelism = workers }, k =>
                Pbkdf2Simd.DeriveKeys(Enumerable.Repeat(password, k).ToArray(), Enumerable.Range(0, k).Select(_ => Salt()).ToArray(),
                    iterations, Enumerable.Range(0, k).Select(_ => new byte[32]).ToArray()));
            return w.Elapsed.TotalMilliseconds;
        }
        Deriver(2 * lanes);
        OneAtATime(workers);
        AllSimd(lanes);
        Console.WriteLine();
        Console.WriteLine($"| Derivations at once | planner's first piece (whole plan) | FletKeyDeriver ran (fastest round) | FletKeyDeriver ms | one chain at a time ms | all in SIMD batches ms | FletKeyDeriver x the faster |");
        Console.WriteLine("|---:|---|---|---:|---:|---:|---:|");
        for (int n = 1; n <= largest; n++)
        {
            double deriver = double.MaxValue, single = double.MaxValue, simd = double.MaxValue;
            string deriverRan = "";
            for (int r = 0; r < rounds; r++)
            {
                double ms = Deriver(n);
                if (ms < deriver)
                {
                    deriver = ms;
                    deriverRan = ran;
                }
                single = Math.Min(single, OneAtATime(n));
                simd = Math.Min(simd, AllSimd(n));
            }
            Console.WriteLine($"| {n} | {Choice(n)} | {deriverRan} | {deriver:0} | {single:0} | {simd:0} | {deriver / Math.Min(single, simd):0.00} |");
        }
    }
}
