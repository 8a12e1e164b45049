using System;
using System.Collections.Generic;
using System.Globalization;

namespace FletSecret.Cipher;

/// <summary>
/// What a key derivation costs on each engine of this process, on one thread, at one iteration count: a single chain
/// (the native engine or the platform PBKDF2) and one SIMD batch, which costs the same for one lane or all of them.
/// </summary>
public readonly struct DerivationCosts
{
    /// <summary>Costs in milliseconds (or any one unit) for <paramref name="iterations"/> iterations.</summary>
    public DerivationCosts(double chain, double batch, int lanes, int iterations, bool measured)
    {
        if (!(chain > 0) || !(batch > 0)) throw new ArgumentOutOfRangeException(nameof(chain), "Costs are positive.");
        if (lanes < 0) throw new ArgumentOutOfRangeException(nameof(lanes));
        Chain = chain;
        Batch = batch;
        Lanes = lanes;
        Iterations = iterations;
        Measured = measured;
    }

    /// <summary>One derivation, one chain at a time.</summary>
    public double Chain { get; }

    /// <summary>One SIMD batch of up to <see cref="Lanes"/> derivations.</summary>
    public double Batch { get; }

    /// <summary>Derivations per SIMD batch; 0 where there is no SIMD engine.</summary>
    public int Lanes { get; }

    /// <summary>The iteration count the costs are for (for the verbose line).</summary>
    public int Iterations { get; }

    /// <summary>True when timed in this process; false for the estimate used until then.</summary>
    public bool Measured { get; }

    /// <summary>True when a full batch costs less than its lanes' derivations one chain at a time.</summary>
    public bool BatchPays => Lanes > 1 && Batch < Lanes * Chain;

    /// <summary>The same costs for <paramref name="iterations"/> iterations (they grow in proportion).</summary>
    public DerivationCosts For(int iterations) =>
        Iterations == iterations || Iterations == 0
            ? this
            : new DerivationCosts(Chain * iterations / Iterations, Batch * iterations / Iterations, Lanes, iterations, Measured);

    /// <summary>What the costs say, for the verbose line (figures, never key material).</summary>
    public override string ToString()
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        string figures = string.Format(c, "{0} at {1} iterations: a chain {2:0.00} ms, a {3}-lane batch {4:0.00} ms",
            Measured ? "measured" : "estimated, not measured yet,", Iterations, Chain, Lanes, Batch);
        return string.Format(c, "{0} (a lane {1:0.00} of a chain)", figures, Batch / (Lanes * Chain));
    }
}

/// <summary>What one derivation thread takes next: one chain, or a SIMD batch of <see cref="Take"/> derivations.</summary>
public readonly struct DerivationPlan
{
    internal DerivationPlan(bool simd, int take, int batches, double makespan)
    {
        Simd = simd;
        Take = take;
        Batches = batches;
        Makespan = makespan;
    }

    /// <summary>True for a SIMD batch.</summary>
    public bool Simd { get; }

    /// <summary>How many waiting derivations this thread takes.</summary>
    public int Take { get; }

    /// <summary>How many batches the whole plan for the waiting derivations has.</summary>
    public int Batches { get; }

    /// <summary>When the last waiting derivation ends under the plan, in the unit of the costs.</summary>
    public double Makespan { get; }
}

/// <summary>
/// Plans the waiting derivations over the derivation threads from the costs of the engines: some number of full SIMD
/// batches (the last one possibly partial: its empty lanes cost the same) and the rest one chain at a time, each
/// piece on the thread that is free first (a thread still running a piece is free once it ends), batches first.
/// The plan with the earliest end is chosen, the one with fewer batches on a tie (less work); its first piece is what
/// the asking thread takes. All chains and all batches are two of the plans weighed, so the choice is never later than
/// either, as far as the costs are right.
/// </summary>
public static class DerivationPlanner
{
    private static readonly double[] NoneBusy = new double[0];

    /// <summary>The plan for <paramref name="waiting"/> derivations on <paramref name="freeThreads"/> idle threads.</summary>
    public static DerivationPlan Plan(DerivationCosts costs, int freeThreads, int waiting) => Plan(costs, freeThreads, NoneBusy, waiting);

    /// <summary>
    /// As above, with more threads that are still running a piece and free after <paramref name="busy"/> (what is left
    /// of each, in the unit of the costs).
    /// </summary>
    public static DerivationPlan Plan(DerivationCosts costs, int freeThreads, IReadOnlyList<double> busy, int waiting)
    {
        if (waiting < 1) throw new ArgumentOutOfRangeException(nameof(waiting), "Nothing to plan.");
        if (busy is null) throw new ArgumentNullException(nameof(busy));
        int free = Math.Max(1, freeThreads), lanes = costs.Lanes;
        if (lanes == 0) return new DerivationPlan(false, 1, 0, double.NaN);
        var loads = new double[free + busy.Count];
        for (int i = 0; i < busy.Count; i++) loads[free + i] = Math.Max(0, busy[i]);
        // Far more waiting than a few batches per thread: what the first piece should be is settled by then.
        int planned = (int)Math.Min(waiting, 2L * lanes * loads.Length);

        double best = End(loads, costs.Chain, planned), batchesEnd = 0;
        int bestBatches = 0;
        int most = (planned + lanes - 1) / lanes;
        for (int batches = 1; batches <= most; batches++)
        {
            // One more batch on the thread free first.
            int first = 0;
            for (int i = 1; i < loads.Length; i++) if (loads[i] < loads[first]) first = i;
            loads[first] += costs.Batch;
            batchesEnd = Math.Max(batchesEnd, loads[first]);
            int chains = planned - batches * lanes;
            double end = chains > 0 ? Math.Max(batchesEnd, End(loads, costs.Chain, chains)) : batchesEnd;
            // Relative tolerance: equal plans (within rounding) keep the one with fewer batches.
            if (end < best * (1 - 1e-9))
            {
                best = end;
                bestBatches = batches;
            }
        }
        return bestBatches > 0
            ? new DerivationPlan(true, Math.Min(lanes, waiting), bestBatches, best)
            : new DerivationPlan(false, 1, 0, best);
    }

    /// <summary>
    /// When the last of <paramref name="chains"/> chains ends, given one by one to the thread free first, on threads
    /// busy until <paramref name="loads"/>: the least T by which the threads fit that many chains.
    /// </summary>
    internal static double End(double[] loads, double chain, int chains)
    {
        double least = loads[0];
        foreach (double load in loads) least = Math.Min(least, load);
        double lo = least, hi = least + chains * chain;
        for (int step = 0; step < 64 && hi - lo > 1e-12 * hi; step++)
        {
            double mid = (lo + hi) / 2;
            long fit = 0;
            foreach (double load in loads)
            {
                if (mid > load) fit += (long)Math.Floor((mid - load) / chain * (1 + 1e-12));
            }
            if (fit >= chains) hi = mid;
            else lo = mid;
        }
        return hi;
    }

    /// <summary>
    /// The fewest waiting derivations for which <paramref name="freeThreads"/> idle threads start with a batch, up to
    /// <paramref name="most"/>; 0 when none of those does (for the verbose line and the crossover bench).
    /// </summary>
    public static int FewestForBatch(DerivationCosts costs, int freeThreads, int most)
    {
        for (int waiting = 1; waiting <= most; waiting++)
        {
            if (Plan(costs, freeThreads, waiting).Simd) return waiting;
        }
        return 0;
    }
}
