using System;
#if NET8_0_OR_GREATER
using System.Security.Cryptography;
#endif

namespace FletSecret.Cipher;

/// <summary>PBKDF2-HMAC-SHA256 with a 32-byte output, the derivation Flet uses.</summary>
internal static class Pbkdf2
{
    public const int KeySize = 32;

    /// <summary>Derives 32 bytes into <paramref name="destination"/>[0..32).</summary>
    public static void DeriveKey(byte[] password, byte[] salt, int iterations, byte[] destination)
    {
        if (iterations < 1) throw new ArgumentOutOfRangeException(nameof(iterations), "The iteration count must be 1 or more.");
#if NET8_0_OR_GREATER
        DeriveKey(password, salt, iterations, destination, NativePbkdf2Sha256.Current.Engine);
#else
        // Windows PowerShell 5.1 (.NET Framework): CNG where it passed its self-test, else managed code.
        if (CngPbkdf2.Current is { } cng && cng.TryDeriveKey(password, salt, iterations, destination)) return;
        ManagedPbkdf2Sha256.DeriveKey(password, salt, iterations, destination);
#endif
    }

#if NET8_0_OR_GREATER
    /// <summary>As above, on <paramref name="native"/> where given (and OpenSSL is not in FIPS mode now).</summary>
    internal static void DeriveKey(byte[] password, byte[] salt, int iterations, byte[] destination, NativePbkdf2Sha256? native)
    {
        if (iterations < 1) throw new ArgumentOutOfRangeException(nameof(iterations), "The iteration count must be 1 or more.");
        if (native is not null && native.TryDeriveKey(password, salt, iterations, destination)) return;
        // The platform PBKDF2 (OpenSSL on Linux, CNG on Windows, CommonCrypto on macOS): the same call that
        // KeyDerivation's net8.0 asset makes, but over bytes, so no passphrase string is ever made.
        Rfc2898DeriveBytes.Pbkdf2(password, salt, destination.AsSpan(0, KeySize), iterations, HashAlgorithmName.SHA256);
    }
#endif

    /// <summary>What derives a single key in this process (for verbose output): the native engine or the fallback.</summary>
    public static string Engine
    {
        get
        {
#if NET8_0_OR_GREATER
            return NativePbkdf2Sha256.Current.Reason;
#else
            return CngPbkdf2.Reason;
#endif
        }
    }
}

/// <summary>
/// PBKDF2-HMAC-SHA256 for one 32-byte block in managed code. The HMAC inner and outer states are computed once,
/// so each iteration costs two SHA-256 compressions instead of the four of a plain HMAC call.
/// No branch or memory access depends on the password or the salt.
/// </summary>
internal static class ManagedPbkdf2Sha256
{
    public static void DeriveKey(byte[] password, byte[] salt, int iterations, byte[] destination)
    {
        var inner = new uint[8];
        var outer = new uint[8];
        var w = new uint[64];
        var u = new uint[8];
        var t = new uint[8];
        try
        {
            Prepare(password, salt, inner, outer, u, w);
            Array.Copy(u, t, 8);
            for (int iteration = 1; iteration < iterations; iteration++)
            {
                // Ui = HMAC(P, U(i-1)): the 32-byte message and its padding make one block.
                LoadDigestBlock(u, w);
                Array.Copy(inner, u, 8);
                Sha256.Compress(u, w);
                FinishOuter(outer, u, w);
                for (int i = 0; i < 8; i++) t[i] ^= u[i];
            }
            WriteBigEndian(t, destination, 0);
        }
        finally
        {
            Array.Clear(inner, 0, 8);
            Array.Clear(outer, 0, 8);
            Array.Clear(w, 0, 64);
            Array.Clear(u, 0, 8);
            Array.Clear(t, 0, 8);
        }
    }

    /// <summary>
    /// The part of PBKDF2 that is the same for every engine: the HMAC inner and outer states after the key block
    /// (the key hashed first when longer than 64 bytes, as HMAC does) and U1 = HMAC(P, salt || INT(1)).
    /// </summary>
    internal static void Prepare(byte[] password, byte[] salt, uint[] inner, uint[] outer, uint[] u1, uint[] w)
    {
        byte[]? hashedPassword = null;
        var pad = new byte[64];
        var first = new byte[salt.Length + 4];
        try
        {
            byte[] key = password;
            if (key.Length > 64)
            {
                hashedPassword = Sha256.Hash(key);
                key = hashedPassword;
            }

            for (int i = 0; i < 64; i++) pad[i] = (byte)((i < key.Length ? key[i] : 0) ^ 0x36);
            Sha256.Init(inner);
            Sha256.LoadBlock(pad, 0, w);
            Sha256.Compress(inner, w);
            for (int i = 0; i < 64; i++) pad[i] ^= 0x36 ^ 0x5c;
            Sha256.Init(outer);
            Sha256.LoadBlock(pad, 0, w);
            Sha256.Compress(outer, w);

            // The message after the 64-byte key block has any length here: salt || INT(1).
            Buffer.BlockCopy(salt, 0, first, 0, salt.Length);
            first[first.Length - 1] = 1;
            Array.Copy(inner, u1, 8);
            Sha256.HashTail(u1, first, 0, first.Length, 64, w);
            FinishOuter(outer, u1, w);
        }
        finally
        {
            SecureMemory.Zero(pad);
            SecureMemory.Zero(first);
            SecureMemory.Zero(hashedPassword);
        }
    }

    internal static void WriteBigEndian(uint[] words, byte[] destination, int offset)
    {
        for (int i = 0; i < 8; i++)
        {
            destination[offset + 4 * i] = (byte)(words[i] >> 24);
            destination[offset + 4 * i + 1] = (byte)(words[i] >> 16);
            destination[offset + 4 * i + 2] = (byte)(words[i] >> 8);
            destination[offset + 4 * i + 3] = (byte)words[i];
        }
    }

    /// <summary>u = SHA256-continue(outerState, u) for a 32-byte message after the 64-byte key block.</summary>
    private static void FinishOuter(uint[] outer, uint[] u, uint[] w)
    {
        LoadDigestBlock(u, w);
        Array.Copy(outer, u, 8);
        Sha256.Compress(u, w);
    }

    /// <summary>Puts a 32-byte digest, its 0x80 marker and the bit length 768 (64 + 32 bytes) into w[0..16).</summary>
    private static void LoadDigestBlock(uint[] digest, uint[] w)
    {
        Array.Copy(digest, w, 8);
        w[8] = 0x80000000;
        w[9] = w[10] = w[11] = w[12] = w[13] = w[14] = 0;
        w[15] = (64 + 32) * 8;
    }
}

/// <summary>The SHA-256 compression function (FIPS 180-4), in the shape PBKDF2 needs.</summary>
internal static class Sha256
{
    internal static readonly uint[] K =
    {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    };

    internal static readonly uint[] InitialState =
    {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    };

    public static void Init(uint[] state) => Array.Copy(InitialState, state, 8);

    public static byte[] Hash(byte[] data)
    {
        var state = new uint[8];
        var w = new uint[64];
        Init(state);
        HashTail(state, data, 0, data.Length, 0, w);
        var digest = new byte[32];
        for (int i = 0; i < 8; i++)
        {
            digest[4 * i] = (byte)(state[i] >> 24);
            digest[4 * i + 1] = (byte)(state[i] >> 16);
            digest[4 * i + 2] = (byte)(state[i] >> 8);
            digest[4 * i + 3] = (byte)state[i];
        }
        Array.Clear(state, 0, 8);
        Array.Clear(w, 0, 64);
        return digest;
    }

    /// <summary>
    /// Continues a hash whose first <paramref name="hashedBefore"/> bytes (a multiple of 64) are already in
    /// <paramref name="state"/> over data[offset..offset+count), then pads and finishes it.
    /// </summary>
    public static void HashTail(uint[] state, byte[] data, int offset, int count, long hashedBefore, uint[] w)
    {
        int end = offset + count, i = offset;
        for (; i + 64 <= end; i += 64)
        {
            LoadBlock(data, i, w);
            Compress(state, w);
        }

        var last = new byte[128];
        int rest = end - i;
        Buffer.BlockCopy(data, i, last, 0, rest);
        last[rest] = 0x80;
        int blocks = rest + 9 <= 64 ? 1 : 2;
        long bits = (hashedBefore + count) * 8;
        for (int b = 0; b < 8; b++) last[blocks * 64 - 1 - b] = (byte)(bits >> (8 * b));
        for (int b = 0; b < blocks; b++)
        {
            LoadBlock(last, b * 64, w);
            Compress(state, w);
        }
        SecureMemory.Zero(last);
    }

    public static void LoadBlock(byte[] data, int offset, uint[] w)
    {
        for (int i = 0; i < 16; i++, offset += 4)
        {
            w[i] = (uint)(data[offset] << 24 | data[offset + 1] << 16 | data[offset + 2] << 8 | data[offset + 3]);
        }
    }

    /// <summary>Compresses the block in w[0..16) into state; w[16..64) is scratch.</summary>
    public static void Compress(uint[] state, uint[] w)
    {
        for (int i = 16; i < 64; i++)
        {
            uint s0 = Rotr(w[i - 15], 7) ^ Rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            uint s1 = Rotr(w[i - 2], 17) ^ Rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }

        uint a = state[0], b = state[1], c = state[2], d = state[3];
        uint e = state[4], f = state[5], g = state[6], h = state[7];
        for (int i = 0; i < 64; i++)
        {
            uint t1 = h + (Rotr(e, 6) ^ Rotr(e, 11) ^ Rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
            uint t2 = (Rotr(a, 2) ^ Rotr(a, 13) ^ Rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g; g = f; f = e; e = d + t1;
            d = c; c = b; b = a; a = t1 + t2;
        }
        state[0] += a; state[1] += b; state[2] += c; state[3] += d;
        state[4] += e; state[5] += f; state[6] += g; state[7] += h;
    }

    private static uint Rotr(uint x, int n) => (x >> n) | (x << (32 - n));
}
