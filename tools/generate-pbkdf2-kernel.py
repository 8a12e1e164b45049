#!/usr/bin/env python3
"""Writes src/FletSecret.Cipher/Pbkdf2Simd.Kernel.cs: the unrolled PBKDF2-HMAC-SHA256 chain of Pbkdf2Simd.

Each iteration hashes a 32-byte message (the previous U) under the inner, then the outer HMAC state: one SHA-256
block of U, 0x80, zeros and the bit length 768. Words 8..15 of that block are the same every iteration, so the
message schedule is folded here with them as constants (constant terms summed, zero terms dropped), and the round
constant K[i] is added into the constant words. The HMAC states are the same every iteration too, so round 0 but for
its message word, and h + K[i] of rounds 1..3, are computed once per batch (Prepare, into a RoundStart). The rounds
rotate the names of the working variables instead of moving them.
Run: python3 tools/generate-pbkdf2-kernel.py (from the repository root), or with a path to write there instead.
"""
import os
import sys

K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]
M = 0xFFFFFFFF


def ror(x, n):
    return ((x >> n) | (x << (32 - n))) & M


def s0(x):
    return ror(x, 7) ^ ror(x, 18) ^ (x >> 3)


def s1(x):
    return ror(x, 17) ^ ror(x, 19) ^ (x >> 10)


class Dialect:
    """The vector operations of one width, written as the hardware intrinsics themselves: the JIT imports those
    directly, where a call through a generic ops struct is inlined only while its inlining budget lasts (a whole
    compression of such calls exceeded it and ran 16 times slower)."""

    def __init__(self, width):
        self.width = width
        self.vector = f"Vector{width}<uint>"

    def add(self, x, y):
        return f"Avx512F.Add({x}, {y})" if self.width == 512 else f"Avx2.Add({x}, {y})"

    def xor3(self, x, y, z):
        if self.width == 512:
            return f"Avx512F.TernaryLogic({x}, {y}, {z}, 0x96)"
        return f"Avx2.Xor(Avx2.Xor({x}, {y}), {z})"

    def ror(self, x, n):
        if self.width == 512:
            return f"Avx512F.RotateRight({x}, {n})"
        return f"Avx2.Or(Avx2.ShiftRightLogical({x}, {n}), Avx2.ShiftLeftLogical({x}, {32 - n}))"

    def shr(self, x, n):
        return f"Avx512F.ShiftRightLogical({x}, {n})" if self.width == 512 else f"Avx2.ShiftRightLogical({x}, {n})"

    def choose(self, e, f, g):
        if self.width == 512:
            return f"Avx512F.TernaryLogic({e}, {f}, {g}, 0xCA)"
        return f"Avx2.Xor({g}, Avx2.And({e}, Avx2.Xor({f}, {g})))"

    def choose_over_g(self, e, f, g):
        """Ch with g first: the JIT writes an AVX-512 ternary-logic result over its first input, so g's register may be
        reused where this is g's last use instead of e being copied first. The .NET 10 JIT moves k (below) after
        this in most rounds, so 119 of 128 register copies per compression remain; the order costs nothing."""
        if self.width == 512:
            return f"Avx512F.TernaryLogic({g}, {e}, {f}, 0xB8)"
        return self.choose(e, f, g)

    def majority(self, a, b, c):
        if self.width == 512:
            return f"Avx512F.TernaryLogic({a}, {b}, {c}, 0xE8)"
        return f"Avx2.Or(Avx2.And({a}, {b}), Avx2.And({c}, Avx2.Or({a}, {b})))"

    def konst(self, value):
        return f"Vector{self.width}.Create(0x{value:08x}u)"

    def big_sigma(self, which, x):
        """Sigma0 (of a) or Sigma1 (of e) of the rounds."""
        counts = (2, 13, 22) if which == 0 else (6, 11, 25)
        return self.xor3(*(self.ror(x, n) for n in counts))

    def small_sigma(self, which, x):
        if which == 0:
            return self.xor3(self.ror(x, 7), self.ror(x, 18), self.shr(x, 3))
        return self.xor3(self.ror(x, 17), self.ror(x, 19), self.shr(x, 10))

    def add_all(self, terms):
        """A balanced sum (shorter dependency chains than a left fold)."""
        while len(terms) > 1:
            terms = [self.add(terms[i], terms[i + 1]) if i + 1 < len(terms) else terms[i] for i in range(0, len(terms), 2)]
        return terms[0]


def compression(ops, state, start, out, indent, memory=False):
    """Lines for out[0..8) = state + compress(state, u0..u7 || padding); state: 8 names of vectors, start: the names of
    the RoundStart words of that state (see prepare)."""
    lines = []
    p = indent
    # The message: words 0..7 are u (variables), 8..15 the padding (constants).
    first = [f"message.W{i}" if memory else f"u{i}" for i in range(8)]
    words = [("var", first[i]) for i in range(8)] + [("const", 0x80000000)] + [("const", 0)] * 6 + [("const", 768)]
    names = ["a", "b", "c", "d", "e", "f", "g", "h"]

    def schedule(i):
        const = 0
        terms = []
        for (j, fn) in ((i - 2, 1), (i - 7, None), (i - 15, 0), (i - 16, None)):
            kind, v = words[j]
            if kind == "const":
                const = (const + (v if fn is None else (s0(v) if fn == 0 else s1(v)))) & M
            else:
                terms.append(v if fn is None else ops.small_sigma(fn, v))
        target = f"w[{i % 16}]" if memory else f"w{i % 16}"
        if const:
            terms.append(ops.konst(const))
        lines.append(f"{p}{target} = {ops.add_all(terms)};")
        words.append(("var", target))

    def kw(i):
        kind, v = words[i]
        return ops.konst((K[i] + v) & M) if kind == "const" else ops.add(v, ops.konst(K[i]))

    # Round 0 reads only the state, which is the same every iteration, and word 0: prepare did the rest.
    lines.append(f"{p}a = {state[0]}; b = {state[1]}; c = {state[2]}; d = {ops.add(start['E1'], words[0][1])};")
    lines.append(f"{p}e = {state[4]}; f = {state[5]}; g = {state[6]}; h = {ops.add(start['A1'], words[0][1])};")
    for i in range(1, 64):
        for j in range(len(words), min(i + 2, 64)):
            schedule(j)  # this round's word, and the next one's for k
        A, B, C, D, E, F, G, H = (names[(j - i) % 8] for j in range(8))
        # h + K[i] + w[i]: in rounds 1..3 h is still a word of the state (prepare added K); later it was added in the
        # round before, while g (this round's h) was still whole, so that Ch below may overwrite g's register.
        hkw = ops.add(start[f"H{i}"], words[i][1]) if i <= 3 else "k"
        lines.append(f"{p}{H} = {ops.add(hkw, ops.big_sigma(1, E))};")
        g_ends_here = 3 <= i < 63  # g is the next round's h, already in k; round 63's g is a word of the result
        if g_ends_here:
            lines.append(f"{p}k = {ops.add(G, kw(i + 1))};")
        choose = ops.choose_over_g(E, F, G) if g_ends_here else ops.choose(E, F, G)
        lines.append(f"{p}{H} = {ops.add(H, choose)};")
        lines.append(f"{p}{D} = {ops.add(D, H)};")
        lines.append(f"{p}{H} = {ops.add(H, ops.add(ops.big_sigma(0, A), ops.majority(A, B, C)))};")
    for i, n in enumerate(names):
        lines.append(f"{p}{out[i]} = {ops.add(state[i], n)};")
    return lines


def prepare(ops, indent):
    """Lines for the RoundStart of a state s0..s7: round 0 without its message word, and h + K[i] for rounds 1..3,
    whose h is still a word of the state."""
    p = indent
    return [
        f"{p}var t1 = {ops.add_all(['s7', ops.big_sigma(1, 's4'), ops.choose('s4', 's5', 's6'), ops.konst(K[0])])};",
        f"{p}start.E1 = {ops.add('s3', 't1')};",
        f"{p}start.A1 = {ops.add('t1', ops.add(ops.big_sigma(0, 's0'), ops.majority('s0', 's1', 's2')))};",
        f"{p}start.H1 = {ops.add('s6', ops.konst(K[1]))};",
        f"{p}start.H2 = {ops.add('s5', ops.konst(K[2]))};",
        f"{p}start.H3 = {ops.add('s4', ops.konst(K[3]))};",
    ]


def method(width):
    ops = Dialect(width)
    v = ops.vector
    p = " " * 8
    start = {n: f"start.{n}" for n in ("E1", "A1", "H1", "H2", "H3")}
    state_locals = f"{p}{v} " + ", ".join(f"s{j} = state.W{j}" for j in range(8)) + ";"
    prepared = f"""    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Prepare{width}(ref Words<{v}> state, out RoundStart<{v}> start)
    {{
{state_locals}
{chr(10).join(prepare(ops, p))}
    }}
"""
    if width == 512:
        # 32 registers: the state copy, the message and its schedule all fit beside the working variables.
        body = compression(ops, [f"s{j}" for j in range(8)], start, [f"u{j}" for j in range(8)], p)
        return prepared + f"""
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Compress{width}(ref Words<{v}> state, ref RoundStart<{v}> start, ref Words<{v}> message)
    {{
{state_locals}
        {v} u0 = message.W0, u1 = message.W1, u2 = message.W2, u3 = message.W3, u4 = message.W4, u5 = message.W5, u6 = message.W6, u7 = message.W7;
        {v} a, b, c, d, e, f, g, h, k;
        {v} w0, w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, w11, w12, w13, w14, w15;
{chr(10).join(body)}
        message.W0 = u0; message.W1 = u1; message.W2 = u2; message.W3 = u3; message.W4 = u4; message.W5 = u5; message.W6 = u6; message.W7 = u7;
    }}
"""
    # 16 registers: only the working variables and temporaries stay in them; the state, the message and the schedule
    # are read from memory as instruction operands (as registers spilled at random would be, but in order).
    body = compression(ops, [f"state.W{j}" for j in range(8)], start, [f"message.W{j}" for j in range(8)], p, memory=True)
    return prepared + f"""
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Compress{width}(ref Words<{v}> state, ref RoundStart<{v}> start, ref Words<{v}> message)
    {{
        {v}* w = stackalloc {v}[16];
        {v} a, b, c, d, e, f, g, h, k;
{chr(10).join(body)}
        new System.Span<{v}>(w, 16).Clear();
    }}
"""


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    text = f"""// <auto-generated>
// Written by tools/generate-pbkdf2-kernel.py; edit that script, not this file.
// </auto-generated>
#if NET8_0_OR_GREATER
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FletSecret.Cipher;

internal static partial class Pbkdf2Simd
{{
    // message = state + compress(state, message || 0x80, zeros, 768): one SHA-256 block of a 32-byte message, every
    // lane at once, for 16 lanes (AVX-512) and 8 (AVX2), from one template. With AVX-512's 32 registers the state,
    // the message and its schedule are locals; with AVX2's 16 only the working variables (and k) are, the rest is
    // read from memory. What depends on the state alone (most of round 0) is computed once per batch (Prepare); the
    // other rounds are written out with the names of the working variables rotating instead of their values moving,
    // and the schedule words that come from the constant padding are folded into constants. Not inlined: one
    // compression is as much code as the JIT optimizes well in one method.

{method(512)}
{method(256)}}}
#endif
"""
    # An argument writes elsewhere: the test suite compares that with the committed file.
    target = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "src", "FletSecret.Cipher", "Pbkdf2Simd.Kernel.cs")
    with open(target, "w", newline="\n") as out:
        out.write(text)


if __name__ == "__main__":
    main()
