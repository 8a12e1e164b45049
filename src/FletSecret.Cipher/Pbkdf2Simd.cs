#if NET8_0_OR_GREATER
using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Threading;

namespace FletSecret.Cipher;

/// <summary>
/// PBKDF2-HMAC-SHA256 for many (passphrase, salt) pairs at once, one chain per SIMD lane: 16 with AVX-512,
/// 8 with AVX2. One chain is 600000 dependent HMAC steps and cannot be split, but the chains of different salts are
/// independent. The HMAC inner and outer states are computed once per lane, so each iteration costs two
/// compressions. No branch or memory access depends on secret data.
/// </summary>
internal static partial class Pbkdf2Simd
{
    private static readonly Lazy<bool> SelfTest = new(RunSelfTest);

    /// <summary>Chains per call on this CPU: 16 (AVX-512), 8 (AVX2) or 0 (none: use the platform PBKDF2).</summary>
    public static int Lanes => Avx512F.IsSupported ? 16 : Avx2.IsSupported ? 8 : 0;

    /// <summary>True when this CPU has the instructions and the known-answer self-test passed in this process.</summary>
    public static bool IsAvailable => Lanes > 0 && SelfTest.Value;

    /// <summary>
    /// False once the self-test has failed; true before it has finished, which this starts on the thread pool, so
    /// that a single derivation does not wait for it (or for its JIT). A batch waits for it through
    /// <see cref="IsAvailable"/>.
    /// </summary>
    public static bool MayBeAvailable
    {
        get
        {
            if (Lanes == 0) return false;
            if (SelfTest.IsValueCreated) return SelfTest.Value;
            if (Interlocked.Exchange(ref _selfTestStarted, 1) == 0) ThreadPool.UnsafeQueueUserWorkItem(_ => _ = SelfTest.Value, null);
            return true;
        }
    }

    private static int _selfTestStarted;

    /// <summary>
    /// Derives 32 bytes for each job i from passwords[i], salts[i] into destinations[i], all with one iteration count.
    /// At most <see cref="Lanes"/> jobs.
    /// </summary>
    public static void DeriveKeys(byte[][] passwords, byte[][] salts, int iterations, byte[][] destinations)
    {
        DeriveKeys(passwords, salts, iterations, destinations, Lanes);
    }

    /// <summary>As above with a given lane width: 16 (AVX-512) or 8 (AVX2); tests run both where the CPU has both.</summary>
    internal static void DeriveKeys(byte[][] passwords, byte[][] salts, int iterations, byte[][] destinations, int lanes)
    {
        if (iterations < 1) throw new ArgumentOutOfRangeException(nameof(iterations));
        if (passwords.Length != salts.Length || passwords.Length != destinations.Length || passwords.Length > lanes)
            throw new ArgumentException("One password, salt and destination per job, and at most one job per lane.");
        if (lanes == 16 && Avx512F.IsSupported) Derive<Vector512<uint>, Ops512>(passwords, salts, iterations, destinations, 16);
        else if (lanes == 8 && Avx2.IsSupported) Derive<Vector256<uint>, Ops256>(passwords, salts, iterations, destinations, 8);
        else throw new PlatformNotSupportedException($"No {lanes}-lane SIMD engine on this CPU.");
    }

    private static void Derive<TVector, TOps>(byte[][] passwords, byte[][] salts, int iterations, byte[][] destinations, int lanes)
        where TVector : unmanaged
        where TOps : struct, IVectorOps<TVector>
    {
        int jobs = passwords.Length;
        // Lane-major words: [word * lanes + lane]. Unused lanes repeat job 0; their results are dropped.
        var inner = new uint[8 * lanes];
        var outer = new uint[8 * lanes];
        var first = new uint[8 * lanes];
        var laneInner = new uint[8];
        var laneOuter = new uint[8];
        var laneU = new uint[8];
        var w = new uint[64];
        var result = new uint[8 * lanes];
        try
        {
            for (int lane = 0; lane < lanes; lane++)
            {
                int job = lane < jobs ? lane : 0;
                ManagedPbkdf2Sha256.Prepare(passwords[job], salts[job], laneInner, laneOuter, laneU, w);
                for (int word = 0; word < 8; word++)
                {
                    inner[word * lanes + lane] = laneInner[word];
                    outer[word * lanes + lane] = laneOuter[word];
                    first[word * lanes + lane] = laneU[word];
                }
            }

            Chain<TVector, TOps>(inner, outer, first, iterations, result);

            for (int job = 0; job < jobs; job++)
            {
                for (int word = 0; word < 8; word++) laneU[word] = result[word * lanes + job];
                ManagedPbkdf2Sha256.WriteBigEndian(laneU, destinations[job], 0);
            }
        }
        finally
        {
            Array.Clear(inner);
            Array.Clear(outer);
            Array.Clear(first);
            Array.Clear(laneInner);
            Array.Clear(laneOuter);
            Array.Clear(laneU);
            Array.Clear(w);
            Array.Clear(result);
            ClearStackBelow();
        }
    }

    /// <summary>
    /// Zeroes the stack below the caller, where the chain's frames were: the AVX-512 kernel spills words of the HMAC
    /// state (which stands for the passphrase) to its frame where its 32 registers run out, and C# cannot clear a
    /// spill. 8 KiB covers the chain's frame (four Words, two RoundStarts) and the kernel's, about 1.5 times over.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ClearStackBelow()
    {
        Span<byte> used = stackalloc byte[8192];
        used.Clear();
    }

    /// <summary>T = U1 ^ U2 ^ ... ^ Uc with Ui = HMAC(P, U(i-1)), every lane at once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Chain<TVector, TOps>(uint[] innerWords, uint[] outerWords, uint[] firstWords, int iterations, uint[] resultWords)
        where TVector : unmanaged
        where TOps : struct, IVectorOps<TVector>
    {
        TOps ops = default;
        Words<TVector> inner = Words<TVector>.Load<TOps>(innerWords), outer = Words<TVector>.Load<TOps>(outerWords);
        Words<TVector> u = Words<TVector>.Load<TOps>(firstWords), t = u;
        ops.Prepare(ref inner, out RoundStart<TVector> innerStart);
        ops.Prepare(ref outer, out RoundStart<TVector> outerStart);
        for (int iteration = 1; iteration < iterations; iteration++)
        {
            // The kernel (Pbkdf2Simd.Kernel.cs, written by tools/generate-pbkdf2-kernel.py): inner hash, outer hash.
            ops.Compress(ref inner, ref innerStart, ref u);
            ops.Compress(ref outer, ref outerStart, ref u);
            t.W0 = ops.Xor(t.W0, u.W0); t.W1 = ops.Xor(t.W1, u.W1); t.W2 = ops.Xor(t.W2, u.W2); t.W3 = ops.Xor(t.W3, u.W3);
            t.W4 = ops.Xor(t.W4, u.W4); t.W5 = ops.Xor(t.W5, u.W5); t.W6 = ops.Xor(t.W6, u.W6); t.W7 = ops.Xor(t.W7, u.W7);
        }
        t.Store<TOps>(resultWords);
        inner = default;
        outer = default;
        u = default;
        t = default;
        innerStart = default;
        outerStart = default;
    }

    /// <summary>Eight words of every lane: a SHA-256 state or a 32-byte message.</summary>
    private struct Words<TVector> where TVector : unmanaged
    {
        public TVector W0, W1, W2, W3, W4, W5, W6, W7;

        public static Words<TVector> Load<TOps>(uint[] laneMajor) where TOps : struct, IVectorOps<TVector>
        {
            TOps ops = default;
            return new Words<TVector>
            {
                W0 = ops.Load(laneMajor, 0), W1 = ops.Load(laneMajor, 1), W2 = ops.Load(laneMajor, 2), W3 = ops.Load(laneMajor, 3),
                W4 = ops.Load(laneMajor, 4), W5 = ops.Load(laneMajor, 5), W6 = ops.Load(laneMajor, 6), W7 = ops.Load(laneMajor, 7),
            };
        }

        public readonly void Store<TOps>(uint[] laneMajor) where TOps : struct, IVectorOps<TVector>
        {
            TOps ops = default;
            ops.Store(W0, laneMajor, 0); ops.Store(W1, laneMajor, 1); ops.Store(W2, laneMajor, 2); ops.Store(W3, laneMajor, 3);
            ops.Store(W4, laneMajor, 4); ops.Store(W5, laneMajor, 5); ops.Store(W6, laneMajor, 6); ops.Store(W7, laneMajor, 7);
        }
    }

    /// <summary>
    /// What every compression under one HMAC state shares, computed once per batch: round 0 but for its message word
    /// (E1 + w0 and A1 + w0 are its e and a), and h + K[i] of rounds 1 to 3, whose h is still a word of the state.
    /// Derived from the key, like the state: zeroed after use.
    /// </summary>
    private struct RoundStart<TVector> where TVector : unmanaged
    {
        public TVector E1, A1, H1, H2, H3;
    }

    /// <summary>
    /// Before first use: compares every lane against the platform PBKDF2 on passphrases of several lengths
    /// (including one over 64 bytes) and against a published vector. A failure turns the engine off for the process.
    /// </summary>
    internal static bool RunSelfTest()
    {
        try
        {
            int lanes = Lanes;
            var passwords = new byte[lanes][];
            var salts = new byte[lanes][];
            var results = new byte[lanes][];
            for (int lane = 0; lane < lanes; lane++)
            {
                passwords[lane] = new byte[lane * 9 % 97];
                for (int i = 0; i < passwords[lane].Length; i++) passwords[lane][i] = (byte)(31 * i + lane);
                salts[lane] = new byte[16];
                for (int i = 0; i < 16; i++) salts[lane][i] = (byte)(lane * 16 + i);
                results[lane] = new byte[32];
            }
            // RFC 7914, section 11: PBKDF2-HMAC-SHA-256 (P="passwd", S="salt", c=1), first 32 bytes.
            passwords[0] = "passwd"u8.ToArray();
            salts[0] = "salt"u8.ToArray();
            byte[] published = Convert.FromHexString("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");

            const int Iterations = 1000;
            var once = new byte[lanes][];
            for (int lane = 0; lane < lanes; lane++) once[lane] = new byte[32];
            DeriveKeys(passwords, salts, 1, once);
            if (!once[0].AsSpan().SequenceEqual(published)) return false;

            DeriveKeys(passwords, salts, Iterations, results);
            var expected = new byte[32];
            for (int lane = 0; lane < lanes; lane++)
            {
                System.Security.Cryptography.Rfc2898DeriveBytes.Pbkdf2(passwords[lane], salts[lane], expected, Iterations,
                    System.Security.Cryptography.HashAlgorithmName.SHA256);
                if (!expected.AsSpan().SequenceEqual(results[lane])) return false;
            }
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }

    private interface IVectorOps<TVector> where TVector : unmanaged
    {
        TVector Load(uint[] laneMajor, int word);
        void Store(TVector value, uint[] laneMajor, int word);
        TVector Xor(TVector left, TVector right);
        /// <summary>The part of the compressions under <paramref name="state"/> that does not depend on the message.</summary>
        void Prepare(ref Words<TVector> state, out RoundStart<TVector> start);
        /// <summary>
        /// message = state + compress(state, message || padding of a 32-byte message); <paramref name="start"/> is what
        /// <see cref="Prepare"/> made of this same state.
        /// </summary>
        void Compress(ref Words<TVector> state, ref RoundStart<TVector> start, ref Words<TVector> message);
    }

    /// <summary>AVX-512: the 16-lane kernel.</summary>
#pragma warning disable CA1857
    private readonly struct Ops512 : IVectorOps<Vector512<uint>>
    {
        public Vector512<uint> Load(uint[] laneMajor, int word) => Vector512.Create(laneMajor.AsSpan(word * 16, 16));
        public void Store(Vector512<uint> value, uint[] laneMajor, int word) => value.CopyTo(laneMajor.AsSpan(word * 16, 16));
        public Vector512<uint> Xor(Vector512<uint> left, Vector512<uint> right) => left ^ right;
        public void Prepare(ref Words<Vector512<uint>> state, out RoundStart<Vector512<uint>> start) => Prepare512(ref state, out start);
        public void Compress(ref Words<Vector512<uint>> state, ref RoundStart<Vector512<uint>> start, ref Words<Vector512<uint>> message) =>
            Compress512(ref state, ref start, ref message);
    }
#pragma warning restore CA1857

    /// <summary>AVX2: the 8-lane kernel.</summary>
    private readonly struct Ops256 : IVectorOps<Vector256<uint>>
    {
        public Vector256<uint> Load(uint[] laneMajor, int word) => Vector256.Create(laneMajor.AsSpan(word * 8, 8));
        public void Store(Vector256<uint> value, uint[] laneMajor, int word) => value.CopyTo(laneMajor.AsSpan(word * 8, 8));
        public Vector256<uint> Xor(Vector256<uint> left, Vector256<uint> right) => left ^ right;
        public void Prepare(ref Words<Vector256<uint>> state, out RoundStart<Vector256<uint>> start) => Prepare256(ref state, out start);
        public void Compress(ref Words<Vector256<uint>> state, ref RoundStart<Vector256<uint>> start, ref Words<Vector256<uint>> message) =>
            Compress256(ref state, ref start, ref message);
    }
}
#endif
