using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace FletSecret.Cipher.Tests;

/// <summary>DerivationPlanner: given costs, the plan it makes for each batch is as fast as the better fixed plan.</summary>
public class DerivationPlannerTests
{
    // Chain and batch costs in ms per 100000 iterations: the AVX-512 machine of issue 22 (a lane 0.40 of a native
    // chain), this machine's measured AVX-512 figures, AVX2 against the native engine (a batch dearer than its lanes),
    // AVX2 without SHA-NI (the batch wins), the platform PBKDF2, and batches that barely pay.
    public static IEnumerable<object[]> Machines() => new[]
    {
        new object[] { 9.9, 63.1, 16 },
        new object[] { 8.1, 55.3, 16 },
        new object[] { 10.0, 120.0, 8 },
        new object[] { 30.0, 70.0, 8 },
        new object[] { 20.0, 60.0, 16 },
        new object[] { 10.0, 150.0, 16 },
        new object[] { 10.0, 75.0, 8 },
        new object[] { 10.0, 20.0, 8 },
    };

    private static DerivationCosts Costs(double chain, double batch, int lanes) => new(chain, batch, lanes, 100_000, measured: true);

    /// <summary>
    /// The end of <paramref name="waiting"/> derivations on <paramref name="threads"/> threads that each, when free,
    /// take the first piece of the plan for what still waits (what FletKeyDeriver's workers do).
    /// </summary>
    private static double Simulate(DerivationCosts costs, int threads, int waiting, List<string>? pieces = null)
    {
        var freeAt = new double[threads];
        double end = 0;
        while (waiting > 0)
        {
            int me = Array.IndexOf(freeAt, freeAt.Min());
            double now = freeAt[me];
            var busy = new List<double>();
            int idle = 0;
            for (int t = 0; t < threads; t++)
            {
                if (freeAt[t] > now) busy.Add(freeAt[t] - now);
                else idle++;
            }
            DerivationPlan plan = DerivationPlanner.Plan(costs, idle, busy, waiting);
            double cost = plan.Simd ? costs.Batch : costs.Chain;
            Assert.Equal(plan.Simd ? Math.Min(costs.Lanes, waiting) : 1, plan.Take);
            pieces?.Add(plan.Simd ? $"batch of {plan.Take}" : "chain");
            waiting -= plan.Take;
            freeAt[me] = now + cost;
            end = Math.Max(end, freeAt[me]);
        }
        return end;
    }

    private static double AllChains(DerivationCosts costs, int threads, int n) => Math.Ceiling((double)n / threads) * costs.Chain;

    private static double AllBatches(DerivationCosts costs, int threads, int n) =>
        Math.Ceiling(Math.Ceiling((double)n / costs.Lanes) / threads) * costs.Batch;

    [Theory]
    [MemberData(nameof(Machines))]
    public void For_1_to_64_derivations_on_1_to_4_threads_the_plan_ends_within_10_percent_of_the_better_fixed_plan(double chain, double batch, int lanes)
    {
        DerivationCosts costs = Costs(chain, batch, lanes);
        for (int threads = 1; threads <= 4; threads++)
        {
            for (int n = 1; n <= 64; n++)
            {
                double best = Math.Min(AllChains(costs, threads, n), AllBatches(costs, threads, n));
                double planned = Simulate(costs, threads, n);
                Assert.True(planned <= best * 1.10 + 1e-9, $"{n} derivations on {threads} threads: planned {planned:0.0}, better fixed plan {best:0.0}");
                // The first plan's own estimate is never later than either fixed plan.
                Assert.True(DerivationPlanner.Plan(costs, threads, n).Makespan <= best + 1e-9);
            }
        }
    }

    [Fact]
    public void Where_a_full_batch_costs_more_than_its_lanes_one_at_a_time_no_batch_is_planned()
    {
        DerivationCosts costs = Costs(10, 161, 16);
        Assert.False(costs.BatchPays);
        for (int threads = 1; threads <= 4; threads++)
        {
            for (int n = 1; n <= 200; n++) Assert.False(DerivationPlanner.Plan(costs, threads, n).Simd, $"{n} on {threads}");
        }
    }

    [Fact]
    public void Without_lanes_every_plan_is_one_chain()
    {
        DerivationPlan plan = DerivationPlanner.Plan(new DerivationCosts(10, 10, 0, 100_000, measured: false), 2, 1000);
        Assert.False(plan.Simd);
        Assert.Equal(1, plan.Take);
    }

    [Fact]
    public void A_partial_batch_takes_every_waiting_derivation_and_a_lone_one_runs_as_a_chain()
    {
        DerivationCosts costs = Costs(10, 20, 16);
        DerivationPlan five = DerivationPlanner.Plan(costs, 1, 5);
        Assert.True(five.Simd);
        Assert.Equal(5, five.Take);
        Assert.False(DerivationPlanner.Plan(costs, 1, 1).Simd);
        Assert.False(DerivationPlanner.Plan(costs, 1, 2).Simd); // a tie keeps the chains (less work)
    }

    [Fact]
    public void Seventeen_on_one_thread_at_a_lane_cost_of_0_4_run_as_a_batch_of_16_and_one_chain()
    {
        var pieces = new List<string>();
        double end = Simulate(Costs(10, 64, 16), 1, 17, pieces);
        Assert.Equal(new[] { "batch of 16", "chain" }, pieces);
        Assert.Equal(74, end, 6);
    }

    [Fact]
    public void Thirty_three_on_two_threads_run_as_two_batches_and_a_chain_sooner_than_either_fixed_plan()
    {
        DerivationCosts costs = Costs(10, 64, 16);
        var pieces = new List<string>();
        double end = Simulate(costs, 2, 33, pieces);
        Assert.Equal(new[] { "batch of 16", "batch of 16", "chain" }, pieces);
        Assert.True(end < AllBatches(costs, 2, 33) && end < AllChains(costs, 2, 33), $"{end}");
    }

    [Fact]
    public void A_thread_about_to_be_free_counts_so_two_waiting_run_as_chains_rather_than_a_batch()
    {
        DerivationCosts costs = Costs(10, 15, 16);
        // Alone, two chains (20) cost more than a batch (15).
        Assert.True(DerivationPlanner.Plan(costs, 1, 2).Simd);
        // With a second thread free in 1 ms, the two chains end at 11.
        Assert.False(DerivationPlanner.Plan(costs, 1, new[] { 1.0 }, 2).Simd);
        // With it busy for another 100 ms, the batch is sooner again.
        Assert.True(DerivationPlanner.Plan(costs, 1, new[] { 100.0 }, 2).Simd);
    }

    [Fact]
    public void The_fewest_waiting_for_a_batch_follows_the_costs()
    {
        // A batch of 64 ms against 10 ms chains: from 7 waiting on one thread, 13 on two (7 per thread as chains).
        Assert.Equal(7, DerivationPlanner.FewestForBatch(Costs(10, 64, 16), 1, 64));
        Assert.Equal(13, DerivationPlanner.FewestForBatch(Costs(10, 64, 16), 2, 64));
        Assert.Equal(0, DerivationPlanner.FewestForBatch(Costs(10, 170, 16), 2, 64));
    }

    [Fact]
    public void Costs_scale_with_the_iteration_count_and_say_whether_they_were_measured()
    {
        DerivationCosts measured = new(1.5, 9.0, 16, 5000, measured: true);
        DerivationCosts scaled = measured.For(600_000);
        Assert.Equal(180, scaled.Chain, 9);
        Assert.Equal(1080, scaled.Batch, 9);
        Assert.Equal(600_000, scaled.Iterations);
        Assert.StartsWith("measured at 5000 iterations: a chain 1.50 ms, a 16-lane batch 9.00 ms (a lane 0.38 of a chain)", measured.ToString());
        Assert.StartsWith("estimated", new DerivationCosts(10, 65, 16, 100_000, measured: false).ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => new DerivationCosts(0, 1, 16, 1, true));
        Assert.Throws<ArgumentOutOfRangeException>(() => DerivationPlanner.Plan(measured, 1, 0));
    }
}
