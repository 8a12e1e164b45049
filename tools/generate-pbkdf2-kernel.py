#!/usr/bin/env python3
"""Writes src/FletSecret.Cipher/Pbkdf2Simd.Kernel.cs: the unrolled PBKDF2-HMAC-SHA256 chain of Pbkdf2Simd.

Each iteration hashes a 32-byte message (the previous U) under the inner, then the outer HMAC state: one SHA-256
block of U, 0x80, zeros and the bit length 768. Words 8..15 of that block are the same every iteration, so the
message schedule is folded here with them as constants (constant terms summed, zero terms dropped), and the round
constant K[i] is added into the constant words. The rounds rotate the names of the working variables instead of
moving them. Run: python3 tools/generate-pbkdf2-kernel.py (from the repository root).
"""
import os

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

    def majority(self, a, b, c):
        if self.width == 512:
            return f"Avx512F.TernaryLogic({a}, {b}, {c}, 0xE8)"
        return f"Avx2.Or(Avx2.And({a}, {b}), Avx2.And({c}, Avx2.Or({a}, {b})))"

    def konst(self, value):
        return f"Vector{self.width}.Create(0x{value:08x}u)"

    def small_sigma(self, which, x):
        if which == 0:
            return self.xor3(self.ror(x, 7), self.ror(x, 18), self.shr(x, 3))
        return self.xor3(self.ror(x, 17), self.ror(x, 19), self.shr(x, 10))

    def add_all(self, terms):
        """A balanced sum (shorter dependency chains than a left fold)."""
        while len(terms) > 1:
            terms = [self.add(terms[i], terms[i + 1]) if i + 1 < len(terms) else terms[i] for i in range(0, len(terms), 2)]
        return terms[0]


def compression(ops, state, out, indent, memory=False):
    """Lines for out[0..8) = state + compress(state, u0..u7 || padding); state: 8 names of vectors."""
    lines = []
    p = indent
    # The message: words 0..7 are u (variables), 8..15 the padding (constants).
    first = [f"message.W{i}" if memory else f"u{i}" for i in range(8)]
    words = [("var", first[i]) for i in range(8)] + [("const", 0x80000000)] + [("const", 0)] * 6 + [("const", 768)]
    slot = {i: f"u{i}" for i in range(8)}  # where a variable word lives: w[i] -> local name
    names = ["a", "b", "c", "d", "e", "f", "g", "h"]
    lines.append(f"{p}a = {state[0]}; b = {state[1]}; c = {state[2]}; d = {state[3]};")
    lines.append(f"{p}e = {state[4]}; f = {state[5]}; g = {state[6]}; h = {state[7]};")
    for i in range(64):
        if i >= 16:
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
        kind, v = words[i]
        kw = ops.konst((K[i] + v) & M) if kind == "const" else ops.add(v, ops.konst(K[i]))
        A, B, C, D, E, F, G, H = (names[(j - i) % 8] for j in range(8))
        sigma1 = ops.xor3(ops.ror(E, 6), ops.ror(E, 11), ops.ror(E, 25))
        sigma0 = ops.xor3(ops.ror(A, 2), ops.ror(A, 13), ops.ror(A, 22))
        lines.append(f"{p}{H} = {ops.add(ops.add(H, sigma1), ops.add(ops.choose(E, F, G), kw))};")
        lines.append(f"{p}{D} = {ops.add(D, H)};")
        lines.append(f"{p}{H} = {ops.add(H, ops.add(sigma0, ops.majority(A, B, C)))};")
    for i, n in enumerate(names):
        lines.append(f"{p}{out[i]} = {ops.add(state[i], n)};")
    return lines


def method(width):
    ops = Dialect(width)
    v = ops.vector
    p = " " * 8
    if width == 512:
        # 32 registers: the state copy, the message and its schedule all fit beside the working variables.
        body = compression(ops, [f"s{j}" for j in range(8)], [f"u{j}" for j in range(8)], p)
        return f"""    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Compress{width}(ref Words<{v}> state, ref Words<{v}> message)
    {{
        {v} s0 = state.W0, s1 = state.W1, s2 = state.W2, s3 = state.W3, s4 = state.W4, s5 = state.W5, s6 = state.W6, s7 = state.W7;
        {v} u0 = message.W0, u1 = message.W1, u2 = message.W2, u3 = message.W3, u4 = message.W4, u5 = message.W5, u6 = message.W6, u7 = message.W7;
        {v} a, b, c, d, e, f, g, h;
        {v} w0, w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, w11, w12, w13, w14, w15;
{chr(10).join(body)}
        message.W0 = u0; message.W1 = u1; message.W2 = u2; message.W3 = u3; message.W4 = u4; message.W5 = u5; message.W6 = u6; message.W7 = u7;
    }}
"""
    # 16 registers: only the working variables and temporaries stay in them; the state, the message and the schedule
    # are read from memory as instruction operands (as registers spilled at random would be, but in order).
    body = compression(ops, [f"state.W{j}" for j in range(8)], [f"message.W{j}" for j in range(8)], p, memory=True)
    return f"""    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Compress{width}(ref Words<{v}> state, ref Words<{v}> message)
    {{
        {v}* w = stackalloc {v}[16];
        {v} a, b, c, d, e, f, g, h;
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
    // lane at once, for 16 lanes (AVX-512) and 8 (AVX2), from one template. The state, the message and its schedule
    // are locals (registers where the CPU has enough), every round is written out with the names of the working
    // variables rotating instead of their values moving, and the schedule words that come from the constant padding
    // are folded into constants. Not inlined: one compression is as much code as the JIT optimizes well in one method.

{method(512)}
{method(256)}}}
#endif
"""
    with open(os.path.join(root, "src", "FletSecret.Cipher", "Pbkdf2Simd.Kernel.cs"), "w", newline="\n") as out:
        out.write(text)


if __name__ == "__main__":
    main()
