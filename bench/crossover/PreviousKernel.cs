using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FletSecret.Cipher;

/// <summary>
/// The multi-buffer kernel of FletSecret 0.2 (before issue 22), kept here only to print its cost beside the current
/// one: the same setup as Pbkdf2Simd, with its loop over stackalloc spans and the padding words rewritten each time.
/// </summary>
internal static class PreviousPbkdf2Simd
{
    public static void DeriveKeys(byte[][] passwords, byte[][] salts, int iterations, byte[][] destinations, int lanes)
    {
        if (lanes == 16) Derive<Vector512<uint>, Ops512>(passwords, salts, iterations, destinations, 16);
        else Derive<Vector256<uint>, Ops256>(passwords, salts, iterations, destinations, 8);
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
        }
    }

    /// <summary>T = U1 ^ U2 ^ ... ^ Uc with Ui = HMAC(P, U(i-1)), every lane at once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Chain<TVector, TOps>(uint[] innerWords, uint[] outerWords, uint[] firstWords, int iterations, uint[] resultWords)
        where TVector : unmanaged
        where TOps : struct, IVectorOps<TVector>
    {
        TOps ops = default;
        Span<TVector> inner = stackalloc TVector[8];
        Span<TVector> outer = stackalloc TVector[8];
        Span<TVector> u = stackalloc TVector[8];
        Span<TVector> t = stackalloc TVector[8];
        Span<TVector> w = stackalloc TVector[64];
        for (int word = 0; word < 8; word++)
        {
            inner[word] = ops.Load(innerWords, word);
            outer[word] = ops.Load(outerWords, word);
            u[word] = ops.Load(firstWords, word);
            t[word] = u[word];
        }

        // The second block of both hashes: a 32-byte digest, 0x80, zeros and the bit length (64 + 32) * 8.
        TVector marker = ops.Broadcast(0x80000000), zero = ops.Broadcast(0), length = ops.Broadcast(768);
        for (int iteration = 1; iteration < iterations; iteration++)
        {
            for (int pass = 0; pass < 2; pass++)
            {
                for (int word = 0; word < 8; word++) w[word] = u[word];
                w[8] = marker;
                for (int word = 9; word < 15; word++) w[word] = zero;
                w[15] = length;
                Compress(ref ops, pass == 0 ? inner : outer, w, u);
            }
            for (int word = 0; word < 8; word++) t[word] = ops.Xor(t[word], u[word]);
        }

        for (int word = 0; word < 8; word++) ops.Store(t[word], resultWords, word);
        w.Clear();
        u.Clear();
        t.Clear();
    }

    /// <summary>digest = state + compress(state, w[0..16)); w[16..64) is the message schedule.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Compress<TVector, TOps>(ref TOps ops, ReadOnlySpan<TVector> state, Span<TVector> w, Span<TVector> digest)
        where TVector : unmanaged
        where TOps : struct, IVectorOps<TVector>
    {
        for (int i = 16; i < 64; i++)
        {
            TVector w15 = w[i - 15], w2 = w[i - 2];
            TVector s0 = ops.Xor3(ops.RotateRight(w15, 7), ops.RotateRight(w15, 18), ops.ShiftRight(w15, 3));
            TVector s1 = ops.Xor3(ops.RotateRight(w2, 17), ops.RotateRight(w2, 19), ops.ShiftRight(w2, 10));
            w[i] = ops.Add(ops.Add(w[i - 16], s0), ops.Add(w[i - 7], s1));
        }

        TVector a = state[0], b = state[1], c = state[2], d = state[3];
        TVector e = state[4], f = state[5], g = state[6], h = state[7];
        uint[] k = Sha256.K;
        for (int i = 0; i < 64; i++)
        {
            TVector sigma1 = ops.Xor3(ops.RotateRight(e, 6), ops.RotateRight(e, 11), ops.RotateRight(e, 25));
            TVector t1 = ops.Add(ops.Add(h, sigma1), ops.Add(ops.Choose(e, f, g), ops.Add(ops.Broadcast(k[i]), w[i])));
            TVector sigma0 = ops.Xor3(ops.RotateRight(a, 2), ops.RotateRight(a, 13), ops.RotateRight(a, 22));
            TVector t2 = ops.Add(sigma0, ops.Majority(a, b, c));
            h = g; g = f; f = e; e = ops.Add(d, t1);
            d = c; c = b; b = a; a = ops.Add(t1, t2);
        }
        digest[0] = ops.Add(state[0], a); digest[1] = ops.Add(state[1], b);
        digest[2] = ops.Add(state[2], c); digest[3] = ops.Add(state[3], d);
        digest[4] = ops.Add(state[4], e); digest[5] = ops.Add(state[5], f);
        digest[6] = ops.Add(state[6], g); digest[7] = ops.Add(state[7], h);
    }

    private interface IVectorOps<TVector> where TVector : unmanaged
    {
        TVector Load(uint[] laneMajor, int word);
        void Store(TVector value, uint[] laneMajor, int word);
        TVector Broadcast(uint value);
        TVector Add(TVector left, TVector right);
        TVector Xor(TVector left, TVector right);
        TVector Xor3(TVector a, TVector b, TVector c);
        TVector RotateRight(TVector value, byte count);
        TVector ShiftRight(TVector value, byte count);
        TVector Choose(TVector e, TVector f, TVector g);
        TVector Majority(TVector a, TVector b, TVector c);
    }

    /// <summary>AVX-512: a rotate instruction and three-input logic (vpternlogd) for XOR3, Ch and Maj.</summary>
    /// <remarks>Every count is a literal at its call site; inlined, the JIT emits the immediate forms.</remarks>
#pragma warning disable CA1857
    private readonly struct Ops512 : IVectorOps<Vector512<uint>>
    {
        public Vector512<uint> Load(uint[] laneMajor, int word) => Vector512.Create(laneMajor.AsSpan(word * 16, 16));
        public void Store(Vector512<uint> value, uint[] laneMajor, int word) => value.CopyTo(laneMajor.AsSpan(word * 16, 16));
        public Vector512<uint> Broadcast(uint value) => Vector512.Create(value);
        public Vector512<uint> Add(Vector512<uint> left, Vector512<uint> right) => left + right;
        public Vector512<uint> Xor(Vector512<uint> left, Vector512<uint> right) => left ^ right;
        public Vector512<uint> Xor3(Vector512<uint> a, Vector512<uint> b, Vector512<uint> c) => Avx512F.TernaryLogic(a, b, c, 0x96);
        public Vector512<uint> RotateRight(Vector512<uint> value, byte count) => Avx512F.RotateRight(value, count);
        public Vector512<uint> ShiftRight(Vector512<uint> value, byte count) => Avx512F.ShiftRightLogical(value, count);
        public Vector512<uint> Choose(Vector512<uint> e, Vector512<uint> f, Vector512<uint> g) => Avx512F.TernaryLogic(e, f, g, 0xCA);
        public Vector512<uint> Majority(Vector512<uint> a, Vector512<uint> b, Vector512<uint> c) => Avx512F.TernaryLogic(a, b, c, 0xE8);
    }
#pragma warning restore CA1857

    /// <summary>AVX2: rotates as two shifts and an or.</summary>
    private readonly struct Ops256 : IVectorOps<Vector256<uint>>
    {
        public Vector256<uint> Load(uint[] laneMajor, int word) => Vector256.Create(laneMajor.AsSpan(word * 8, 8));
        public void Store(Vector256<uint> value, uint[] laneMajor, int word) => value.CopyTo(laneMajor.AsSpan(word * 8, 8));
        public Vector256<uint> Broadcast(uint value) => Vector256.Create(value);
        public Vector256<uint> Add(Vector256<uint> left, Vector256<uint> right) => left + right;
        public Vector256<uint> Xor(Vector256<uint> left, Vector256<uint> right) => left ^ right;
        public Vector256<uint> Xor3(Vector256<uint> a, Vector256<uint> b, Vector256<uint> c) => a ^ b ^ c;
        public Vector256<uint> RotateRight(Vector256<uint> value, byte count) =>
            Vector256.ShiftRightLogical(value, count) | Vector256.ShiftLeft(value, 32 - count);
        public Vector256<uint> ShiftRight(Vector256<uint> value, byte count) => Vector256.ShiftRightLogical(value, count);
        public Vector256<uint> Choose(Vector256<uint> e, Vector256<uint> f, Vector256<uint> g) => Vector256.ConditionalSelect(e, f, g);
        public Vector256<uint> Majority(Vector256<uint> a, Vector256<uint> b, Vector256<uint> c) => (a & b) | (c & (a | b));
    }
}
