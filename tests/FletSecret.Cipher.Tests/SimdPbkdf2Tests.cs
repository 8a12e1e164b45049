#if !LIBRARY_NETSTANDARD
using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using Xunit;
using Xunit.Abstractions;

namespace FletSecret.Cipher.Tests;

/// <summary>
/// The multi-buffer PBKDF2 engine against the platform PBKDF2, bit for bit. The engine is in the net8.0 build only and
/// runs on x86-64 CPUs with AVX2 or AVX-512F; elsewhere (Arm64: Apple silicon, Windows on Arm) these tests are skipped
/// with that reason, and the first one checks that the engine is indeed off.
/// </summary>
public class SimdPbkdf2Tests
{
    private readonly ITestOutputHelper _output;

    public SimdPbkdf2Tests(ITestOutputHelper output) => _output = output;

    public static IEnumerable<object[]> Widths()
    {
        if (Avx512F.IsSupported) yield return new object[] { 16 };
        if (Avx2.IsSupported) yield return new object[] { 8 };
    }

    [Fact]
    public void The_engine_is_on_where_the_CPU_has_the_instructions_and_its_self_test_passes()
    {
        _output.WriteLine($"AVX-512F: {Avx512F.IsSupported}, AVX2: {Avx2.IsSupported}, lanes: {Pbkdf2Simd.Lanes}");
        Assert.Equal(Avx512F.IsSupported ? 16 : Avx2.IsSupported ? 8 : 0, Pbkdf2Simd.Lanes);
        Assert.Equal(Pbkdf2Simd.Lanes > 0, Pbkdf2Simd.IsAvailable);
        if (Pbkdf2Simd.Lanes > 0) Assert.True(Pbkdf2Simd.RunSelfTest());
    }

    [SimdTheory]
    [MemberData(nameof(Widths))]
    public void Ten_thousand_random_derivations_equal_the_platform_PBKDF2(int lanes)
    {
        var random = new Random(8675309 + lanes);
        int cases = 0, mismatches = 0;
        while (cases < 10_000)
        {
            int jobs = random.Next(1, lanes + 1);
            int iterations = random.Next(0, 10) == 0 ? random.Next(1, 4) : random.Next(1, 2500);
            var passwords = new byte[jobs][];
            var salts = new byte[jobs][];
            var keys = new byte[jobs][];
            for (int j = 0; j < jobs; j++)
            {
                // 0 to 300 bytes: over 64, HMAC hashes the key first; 64 exactly does not.
                int length = random.Next(0, 8) == 0 ? new[] { 0, 63, 64, 65, 300 }[random.Next(5)] : random.Next(0, 301);
                passwords[j] = new byte[length];
                random.NextBytes(passwords[j]);
                salts[j] = new byte[random.Next(0, 4) == 0 ? random.Next(0, 120) : 16];
                random.NextBytes(salts[j]);
                keys[j] = new byte[32];
            }

            Pbkdf2Simd.DeriveKeys(passwords, salts, iterations, keys, lanes);

            for (int j = 0; j < jobs; j++, cases++)
            {
                byte[] expected = Rfc2898DeriveBytes.Pbkdf2(passwords[j], salts[j], iterations, HashAlgorithmName.SHA256, 32);
                if (!expected.AsSpan().SequenceEqual(keys[j])) mismatches++;
            }
        }
        Assert.Equal(0, mismatches);
    }

    [SimdTheory]
    [MemberData(nameof(Widths))]
    public void Random_full_and_partial_batches_equal_the_single_chain_engine_up_to_20000_iterations(int lanes)
    {
        // The engine FletKeyDeriver runs beside the batches (native where there is one), on Flet-sized salts and
        // UTF-8 passphrases, with counts long enough for every schedule word to wrap many times.
        var random = new Random(20261207 + lanes);
        int mismatches = 0, cases = 0;
        for (int batch = 0; batch < 60; batch++)
        {
            int jobs = batch % 3 == 0 ? lanes : random.Next(1, lanes + 1);
            int iterations = random.Next(0, 4) == 0 ? random.Next(2000, 20_001) : random.Next(1, 3000);
            var passwords = new byte[jobs][];
            var salts = new byte[jobs][];
            var keys = new byte[jobs][];
            for (int j = 0; j < jobs; j++)
            {
                char[] text = new char[random.Next(0, 80)];
                for (int i = 0; i < text.Length; i++) text[i] = (char)(random.Next(0, 3) == 0 ? random.Next(0xA0, 0x2FF) : random.Next(0x20, 0x7F));
                passwords[j] = System.Text.Encoding.UTF8.GetBytes(text);
                salts[j] = new byte[16];
                random.NextBytes(salts[j]);
                keys[j] = new byte[32];
            }

            Pbkdf2Simd.DeriveKeys(passwords, salts, iterations, keys, lanes);

            var expected = new byte[32];
            for (int j = 0; j < jobs; j++, cases++)
            {
                Pbkdf2.DeriveKey(passwords[j], salts[j], iterations, expected);
                if (!expected.AsSpan().SequenceEqual(keys[j])) mismatches++;
            }
        }
        _output.WriteLine($"{cases} derivations against {Pbkdf2.Engine}");
        Assert.Equal(0, mismatches);
    }

    [SimdTheory]
    [MemberData(nameof(Widths))]
    public void Every_Flet_vector_key_comes_out_of_one_batch_per_iteration_count(int lanes)
    {
        foreach (IGrouping<int, FletVector> group in Vectors.Flet.Value.GroupBy(v => v.Iterations))
        {
            foreach (FletVector[] chunk in group.Chunk(lanes))
            {
                byte[][] passwords = chunk.Select(v => System.Text.Encoding.UTF8.GetBytes(v.Secret)).ToArray();
                byte[][] salts = chunk.Select(v => Convert.FromHexString(v.Salt)).ToArray();
                byte[][] keys = chunk.Select(_ => new byte[32]).ToArray();
                Pbkdf2Simd.DeriveKeys(passwords, salts, group.Key, keys, lanes);
                for (int i = 0; i < chunk.Length; i++)
                {
                    Assert.Equal(chunk[i].FernetKey, Codec.B64Url(keys[i]));
                }
            }
        }
    }

    [SimdTheory]
    [MemberData(nameof(Widths))]
    public void No_HMAC_state_of_a_batch_is_left_on_the_stack_below_the_caller(int lanes)
    {
        // The inner and outer HMAC states stand for the passphrase (with them anyone derives its keys). The kernel
        // keeps them in registers and, where there are too few, in its stack frame; after the batch no word of them
        // (all lanes of one word, as a vector register holds it) may be left in the stack the batch used.
        var passwords = new byte[lanes][];
        var salts = new byte[lanes][];
        var keys = new byte[lanes][];
        var inner = new uint[8 * lanes];
        var outer = new uint[8 * lanes];
        uint[] laneInner = new uint[8], laneOuter = new uint[8], laneU = new uint[8], w = new uint[64];
        var random = new Random(4242 + lanes);
        for (int lane = 0; lane < lanes; lane++)
        {
            passwords[lane] = new byte[20 + lane];
            random.NextBytes(passwords[lane]);
            salts[lane] = new byte[16];
            random.NextBytes(salts[lane]);
            keys[lane] = new byte[32];
            ManagedPbkdf2Sha256.Prepare(passwords[lane], salts[lane], laneInner, laneOuter, laneU, w);
            for (int word = 0; word < 8; word++)
            {
                inner[word * lanes + lane] = laneInner[word];
                outer[word * lanes + lane] = laneOuter[word];
            }
        }

        // Then the words the kernel computes from each state once per batch (its RoundStart), as telling as the state.
        var innerStart = new uint[5 * lanes];
        var outerStart = new uint[5 * lanes];
        for (int lane = 0; lane < lanes; lane++)
        {
            RoundStartOf(inner, lane, lanes, innerStart);
            RoundStartOf(outer, lane, lanes, outerStart);
        }
        var needles = new byte[26][];
        for (int word = 0; word < 8; word++)
        {
            needles[word] = new byte[4 * lanes];
            needles[8 + word] = new byte[4 * lanes];
            Buffer.BlockCopy(inner, 4 * word * lanes, needles[word], 0, 4 * lanes);
            Buffer.BlockCopy(outer, 4 * word * lanes, needles[8 + word], 0, 4 * lanes);
        }
        for (int word = 0; word < 5; word++)
        {
            needles[16 + word] = new byte[4 * lanes];
            needles[21 + word] = new byte[4 * lanes];
            Buffer.BlockCopy(innerStart, 4 * word * lanes, needles[16 + word], 0, 4 * lanes);
            Buffer.BlockCopy(outerStart, 4 * word * lanes, needles[21 + word], 0, 4 * lanes);
        }

        // Nothing between the batch and the look (no call, no allocation) that could overwrite the stack below.
        Pbkdf2Simd.DeriveKeys(passwords, salts, 3, keys, lanes);
        List<string> left = StackBelowHolds(needles);
        Assert.True(left.Count == 0, "left on the stack: " + string.Join(", ", left));
    }

    private static readonly string[] RoundStartNames = { "E1", "A1", "H1", "H2", "H3" };

    /// <summary>
    /// The kernel's RoundStart of one lane's state (lane-major words), computed here in scalar code: round 0 without its
    /// message word (t1 = h + Sigma1(e) + Ch(e, f, g) + K0; E1 = d + t1; A1 = t1 + Sigma0(a) + Maj(a, b, c)), then
    /// h + K[i] of rounds 1 to 3 (g, f and e of the state).
    /// </summary>
    private static void RoundStartOf(uint[] state, int lane, int lanes, uint[] start)
    {
        uint S(int word) => state[word * lanes + lane];
        static uint Ror(uint x, int n) => (x >> n) | (x << (32 - n));
        uint e = S(4), a = S(0);
        uint t1 = S(7) + (Ror(e, 6) ^ Ror(e, 11) ^ Ror(e, 25)) + ((e & S(5)) ^ (~e & S(6))) + Sha256.K[0];
        uint t2 = (Ror(a, 2) ^ Ror(a, 13) ^ Ror(a, 22)) + ((a & S(1)) ^ (a & S(2)) ^ (S(1) & S(2)));
        start[0 * lanes + lane] = S(3) + t1;
        start[1 * lanes + lane] = t1 + t2;
        start[2 * lanes + lane] = S(6) + Sha256.K[1];
        start[3 * lanes + lane] = S(5) + Sha256.K[2];
        start[4 * lanes + lane] = S(4) + Sha256.K[3];
    }

    /// <summary>
    /// Which of <paramref name="needles"/> (0..7 inner state words, 8..15 outer, 16..20 the inner RoundStart, 21..25
    /// the outer one) the stack below this frame holds.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    [System.Runtime.CompilerServices.SkipLocalsInit]
    private static unsafe List<string> StackBelowHolds(byte[][] needles)
    {
        // Not initialized (SkipLocalsInit): what the calls before this one left at this depth.
        byte* below = stackalloc byte[32 * 1024];
        var haystack = new ReadOnlySpan<byte>(below, 32 * 1024);
        int found = 0;
        for (int i = 0; i < needles.Length; i++)
        {
            if (haystack.IndexOf(needles[i]) >= 0) found |= 1 << i;
        }
        // Allocations only once the stack has been read.
        var names = new List<string>();
        for (int i = 0; i < needles.Length; i++)
        {
            if ((found & (1 << i)) == 0) continue;
            names.Add(i < 16 ? (i < 8 ? "inner word " : "outer word ") + (i % 8)
                : (i < 21 ? "inner " : "outer ") + RoundStartNames[(i - 16) % 5]);
        }
        return names;
    }

    [SimdFact]
    public void More_jobs_than_lanes_or_a_bad_count_are_refused()
    {
        int lanes = Pbkdf2Simd.Lanes;
        byte[][] Many(int n) => Enumerable.Range(0, n).Select(_ => new byte[32]).ToArray();
        Assert.Throws<ArgumentException>(() => Pbkdf2Simd.DeriveKeys(Many(lanes + 1), Many(lanes + 1), 10, Many(lanes + 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pbkdf2Simd.DeriveKeys(Many(1), Many(1), 0, Many(1)));
    }
}

/// <summary>Why the SIMD engine cannot be tested on this CPU, or null.</summary>
internal static class SimdSupport
{
    public static string? SkipReason => Pbkdf2Simd.Lanes > 0 ? null
        : "x86-64 only: this CPU has neither AVX2 nor AVX-512F, so the SIMD engine is off (the platform PBKDF2 runs instead)";
}

/// <summary>A fact about the SIMD engine, skipped with the reason on CPUs without AVX2 or AVX-512F.</summary>
public sealed class SimdFactAttribute : FactAttribute
{
    public SimdFactAttribute() => Skip = SimdSupport.SkipReason;
}

/// <summary>A theory over the SIMD widths this CPU has (its data would be empty without them), skipped with the reason.</summary>
public sealed class SimdTheoryAttribute : TheoryAttribute
{
    public SimdTheoryAttribute() => Skip = SimdSupport.SkipReason;
}
#endif
