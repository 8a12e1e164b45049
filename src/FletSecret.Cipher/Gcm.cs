using System;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
using Pclmulqdq = System.Runtime.Intrinsics.X86.Pclmulqdq;
using ArmAes = System.Runtime.Intrinsics.Arm.Aes;
#endif

namespace FletSecret.Cipher;

/// <summary>Which GHASH multiply a <see cref="GcmCipher"/> uses.</summary>
internal enum GHashEngine
{
    /// <summary>Carry-less multiply instructions where the CPU has them (net8.0), else the software multiply.</summary>
    Auto,

    /// <summary>The constant-time software multiply, always (the netstandard2.0 path; forced by tests).</summary>
    Software,
}

/// <summary>
/// AES-GCM (NIST SP 800-38D) with a nonce of any length, composed from the platform's AES block function:
/// .NET's AesGcm takes only 12-byte nonces, and Flet uses 32. Works in place on byte arrays (netstandard2.0 has no
/// spans without a package). Decryption checks the tag, in constant time, before it decrypts a single byte.
/// </summary>
internal sealed class GcmCipher : IDisposable
{
    public const int TagSize = 16;
    private const int BlockSize = 16;
    private const int ChunkBlocks = 256; // 4 KiB of key stream per call into the platform AES

    private readonly Aes _aes;
#if !NET8_0_OR_GREATER
    private readonly ICryptoTransform _ecb;
#endif
    private readonly GHash _ghash;
    private readonly byte[] _counters = new byte[ChunkBlocks * BlockSize];
    private readonly byte[] _keyStream = new byte[ChunkBlocks * BlockSize];

    /// <summary>Keys the cipher with a 16-, 24- or 32-byte AES key (copied; the caller zeroes its own).</summary>
    public GcmCipher(byte[] key, GHashEngine engine = GHashEngine.Auto)
    {
        _aes = Aes.Create();
        try
        {
            _aes.Key = key;
            _aes.Mode = CipherMode.ECB;
            _aes.Padding = PaddingMode.None;
#if !NET8_0_OR_GREATER
            _ecb = _aes.CreateEncryptor();
#endif
            var h = new byte[BlockSize];
            EncryptBlocks(h, h, BlockSize); // H = E(K, 0^128)
            _ghash = new GHash(h, engine != GHashEngine.Software && GHash.HardwareAvailable);
            SecureMemory.Zero(h);
        }
        catch
        {
            _aes.Dispose();
            throw;
        }
    }

    /// <summary>Whether this instance multiplies with the CPU's carry-less multiply instructions.</summary>
    public bool UsesHardwareMultiply => _ghash.Hardware;

    /// <summary>Encrypts data[offset..offset+count) in place and writes the 16-byte tag to tag[tagOffset..).</summary>
    public void Encrypt(byte[] nonce, int nonceOffset, int nonceLength, byte[]? aad,
        byte[] data, int offset, int count, byte[] tag, int tagOffset)
    {
        var j0 = new byte[BlockSize];
        try
        {
            CounterBlock(nonce, nonceOffset, nonceLength, j0);
            Ctr(j0, data, offset, count);
            ComputeTag(j0, aad, data, offset, count, tag, tagOffset);
        }
        finally
        {
            SecureMemory.Zero(j0);
        }
    }

    /// <summary>
    /// Checks the tag over data[offset..offset+count) (constant time) and, only when it matches, decrypts the data
    /// in place. Returns false, with the data untouched, when the tag does not match.
    /// </summary>
    public bool Decrypt(byte[] nonce, int nonceOffset, int nonceLength, byte[]? aad,
        byte[] data, int offset, int count, byte[] tag, int tagOffset)
    {
        var j0 = new byte[BlockSize];
        var expected = new byte[TagSize];
        try
        {
            CounterBlock(nonce, nonceOffset, nonceLength, j0);
            ComputeTag(j0, aad, data, offset, count, expected, 0);
            if (!SecureMemory.FixedTimeEquals(expected, 0, tag, tagOffset, TagSize)) return false;
            Ctr(j0, data, offset, count);
            return true;
        }
        finally
        {
            SecureMemory.Zero(j0);
            SecureMemory.Zero(expected);
        }
    }

    /// <summary>J0: nonce || 0^31 || 1 for a 12-byte nonce, else GHASH(H, {}, nonce).</summary>
    private void CounterBlock(byte[] nonce, int nonceOffset, int nonceLength, byte[] j0)
    {
        if (nonceLength < 1) throw new ArgumentException("A GCM nonce has at least one byte.", nameof(nonceLength));
        if (nonceLength == 12)
        {
            Buffer.BlockCopy(nonce, nonceOffset, j0, 0, 12);
            j0[15] = 1;
            return;
        }
        _ghash.Reset();
        _ghash.Update(nonce, nonceOffset, nonceLength);
        _ghash.UpdateLengths(0, nonceLength);
        _ghash.Final(j0, 0);
    }

    /// <summary>T = GHASH(H, A, C) xor E(K, J0).</summary>
    private void ComputeTag(byte[] j0, byte[]? aad, byte[] data, int offset, int count, byte[] tag, int tagOffset)
    {
        _ghash.Reset();
        int aadLength = aad?.Length ?? 0;
        if (aadLength > 0) _ghash.Update(aad!, 0, aadLength);
        _ghash.Update(data, offset, count);
        _ghash.UpdateLengths(aadLength, count);
        var s = new byte[BlockSize];
        var mask = new byte[BlockSize];
        try
        {
            _ghash.Final(s, 0);
            EncryptBlocks(j0, mask, BlockSize);
            for (int i = 0; i < TagSize; i++) tag[tagOffset + i] = (byte)(s[i] ^ mask[i]);
        }
        finally
        {
            SecureMemory.Zero(s);
            SecureMemory.Zero(mask);
            _ghash.Reset();
        }
    }

    /// <summary>XORs data with the key stream E(K, inc32(J0)), E(K, inc32²(J0)), ...</summary>
    /// <remarks>
    /// The counter blocks are zeroed afterwards like the key stream: for a nonce other than 12 bytes J0 is
    /// GHASH(H, nonce), from which (the nonce being public) H can be solved, and H with one token forges others.
    /// </remarks>
    private void Ctr(byte[] j0, byte[] data, int offset, int count)
    {
        try
        {
            uint counter = (uint)(j0[12] << 24 | j0[13] << 16 | j0[14] << 8 | j0[15]);
            for (int b = 0; b < ChunkBlocks; b++) Buffer.BlockCopy(j0, 0, _counters, b * BlockSize, 12);
            for (int done = 0; done < count;)
            {
                int take = Math.Min(count - done, _keyStream.Length);
                int blocks = (take + BlockSize - 1) / BlockSize;
                for (int b = 0; b < blocks; b++)
                {
                    counter = unchecked(counter + 1); // inc32: the low 32 bits wrap, the first 96 stay
                    int at = b * BlockSize + 12;
                    _counters[at] = (byte)(counter >> 24);
                    _counters[at + 1] = (byte)(counter >> 16);
                    _counters[at + 2] = (byte)(counter >> 8);
                    _counters[at + 3] = (byte)counter;
                }
                EncryptBlocks(_counters, _keyStream, blocks * BlockSize);
                int at0 = offset + done;
                for (int i = 0; i < take; i++) data[at0 + i] ^= _keyStream[i];
                done += take;
            }
        }
        finally
        {
            SecureMemory.Zero(_keyStream);
            SecureMemory.Zero(_counters);
        }
    }

    /// <summary>The AES block function over whole blocks (ECB, no padding).</summary>
    private void EncryptBlocks(byte[] input, byte[] output, int length)
    {
#if NET8_0_OR_GREATER
        _aes.EncryptEcb(input.AsSpan(0, length), output.AsSpan(0, length), PaddingMode.None);
#else
        _ecb.TransformBlock(input, 0, length, output, 0);
#endif
    }

    public void Dispose()
    {
        _ghash?.Clear();
        SecureMemory.Zero(_keyStream);
        SecureMemory.Zero(_counters);
#if !NET8_0_OR_GREATER
        _ecb?.Dispose();
#endif
        _aes.Dispose();
    }
}

/// <summary>
/// GHASH over GF(2^128) with the hash key H. Elements are held as two big-endian 64-bit halves (x^0 is the top bit
/// of <c>y1</c>). Both multiplies are constant time: the carry-less multiply instructions, or BearSSL's
/// "ctmul64" software multiply (integer multiplies with 3-bit holes between the data bits), with no table lookups.
/// </summary>
internal sealed class GHash
{
    private ulong _h1, _h0, _h1r, _h0r;
    private ulong _y1, _y0;

    public GHash(byte[] h, bool hardware)
    {
        Hardware = hardware;
        _h1 = ReadBigEndian(h, 0);
        _h0 = ReadBigEndian(h, 8);
        _h1r = Reverse(_h1);
        _h0r = Reverse(_h0);
    }

    public bool Hardware { get; }

    /// <summary>Whether this process can use a carry-less multiply instruction (PCLMULQDQ, or PMULL on arm64).</summary>
    public static bool HardwareAvailable
    {
        get
        {
#if NET8_0_OR_GREATER
            return Pclmulqdq.IsSupported || ArmAes.IsSupported;
#else
            return false;
#endif
        }
    }

    public void Reset()
    {
        _y1 = 0;
        _y0 = 0;
    }

    /// <summary>Absorbs data; a last partial block is padded with zeros (as GHASH pads each of A and C).</summary>
    public void Update(byte[] data, int offset, int count)
    {
        int end = offset + count, i = offset;
        for (; i + 16 <= end; i += 16)
        {
            _y1 ^= ReadBigEndian(data, i);
            _y0 ^= ReadBigEndian(data, i + 8);
            Multiply();
        }
        if (i < end)
        {
            var last = new byte[16];
            Buffer.BlockCopy(data, i, last, 0, end - i);
            _y1 ^= ReadBigEndian(last, 0);
            _y0 ^= ReadBigEndian(last, 8);
            SecureMemory.Zero(last);
            Multiply();
        }
    }

    /// <summary>Absorbs the length block: [len(A) in bits]64 || [len(C) in bits]64.</summary>
    public void UpdateLengths(long aadBytes, long textBytes)
    {
        _y1 ^= (ulong)aadBytes * 8;
        _y0 ^= (ulong)textBytes * 8;
        Multiply();
    }

    public void Final(byte[] destination, int offset)
    {
        WriteBigEndian(destination, offset, _y1);
        WriteBigEndian(destination, offset + 8, _y0);
    }

    public void Clear()
    {
        _h1 = _h0 = _h1r = _h0r = 0;
        Reset();
    }

    private void Multiply()
    {
        ulong v0, v1, v2, v3;
#if NET8_0_OR_GREATER
        if (Hardware)
        {
            // Karatsuba over three 64x64 carry-less products.
            (ulong lo0, ulong hi0) = CarrylessMultiply(_y0, _h0);
            (ulong lo1, ulong hi1) = CarrylessMultiply(_y1, _h1);
            (ulong lo2, ulong hi2) = CarrylessMultiply(_y0 ^ _y1, _h0 ^ _h1);
            lo2 ^= lo0 ^ lo1;
            hi2 ^= hi0 ^ hi1;
            v0 = lo0;
            v1 = hi0 ^ lo2;
            v2 = lo1 ^ hi2;
            v3 = hi1;
        }
        else
#endif
        {
            // BearSSL ghash_ctmul64: the low halves from the operands, the high halves from their bit reversals.
            ulong y0 = _y0, y1 = _y1, y2 = y0 ^ y1;
            ulong y0r = Reverse(y0), y1r = Reverse(y1), y2r = y0r ^ y1r;
            ulong z0 = SoftwareMultiply(y0, _h0);
            ulong z1 = SoftwareMultiply(y1, _h1);
            ulong z2 = SoftwareMultiply(y2, _h0 ^ _h1);
            ulong z0h = SoftwareMultiply(y0r, _h0r);
            ulong z1h = SoftwareMultiply(y1r, _h1r);
            ulong z2h = SoftwareMultiply(y2r, _h0r ^ _h1r);
            z2 ^= z0 ^ z1;
            z2h ^= z0h ^ z1h;
            z0h = Reverse(z0h) >> 1;
            z1h = Reverse(z1h) >> 1;
            z2h = Reverse(z2h) >> 1;
            v0 = z0;
            v1 = z0h ^ z2;
            v2 = z1 ^ z2h;
            v3 = z1h;
        }

        // The product of bit-reflected operands is shifted by one; then reduce modulo x^128 + x^7 + x^2 + x + 1.
        v3 = (v3 << 1) | (v2 >> 63);
        v2 = (v2 << 1) | (v1 >> 63);
        v1 = (v1 << 1) | (v0 >> 63);
        v0 <<= 1;
        v2 ^= v0 ^ (v0 >> 1) ^ (v0 >> 2) ^ (v0 >> 7);
        v1 ^= (v0 << 63) ^ (v0 << 62) ^ (v0 << 57);
        v3 ^= v1 ^ (v1 >> 1) ^ (v1 >> 2) ^ (v1 >> 7);
        v2 ^= (v1 << 63) ^ (v1 << 62) ^ (v1 << 57);
        _y0 = v2;
        _y1 = v3;
    }

#if NET8_0_OR_GREATER
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (ulong Low, ulong High) CarrylessMultiply(ulong a, ulong b)
    {
        Vector128<ulong> product;
        if (Pclmulqdq.IsSupported)
            product = Pclmulqdq.CarrylessMultiply(Vector128.CreateScalarUnsafe(a), Vector128.CreateScalarUnsafe(b), 0x00);
        else if (ArmAes.IsSupported)
            product = ArmAes.PolynomialMultiplyWideningLower(Vector64.Create(a), Vector64.Create(b));
        else
            throw new PlatformNotSupportedException("No carry-less multiply instruction.");
        return (product.GetElement(0), product.GetElement(1));
    }
#endif

    /// <summary>
    /// The low 64 bits of the carry-less product of x and y. Each quarter of the bits is spaced by 3 zero bits, so
    /// the sums of an integer multiply stay within their 4-bit slots (at most 15 terms reach the low 64 bits).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong SoftwareMultiply(ulong x, ulong y)
    {
        const ulong M0 = 0x1111111111111111, M1 = 0x2222222222222222, M2 = 0x4444444444444444, M3 = 0x8888888888888888;
        ulong x0 = x & M0, x1 = x & M1, x2 = x & M2, x3 = x & M3;
        ulong y0 = y & M0, y1 = y & M1, y2 = y & M2, y3 = y & M3;
        ulong z0 = (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
        ulong z1 = (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
        ulong z2 = (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
        ulong z3 = (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
        return (z0 & M0) | (z1 & M1) | (z2 & M2) | (z3 & M3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Reverse(ulong x)
    {
        x = ((x & 0x5555555555555555) << 1) | ((x >> 1) & 0x5555555555555555);
        x = ((x & 0x3333333333333333) << 2) | ((x >> 2) & 0x3333333333333333);
        x = ((x & 0x0F0F0F0F0F0F0F0F) << 4) | ((x >> 4) & 0x0F0F0F0F0F0F0F0F);
        x = ((x & 0x00FF00FF00FF00FF) << 8) | ((x >> 8) & 0x00FF00FF00FF00FF);
        x = ((x & 0x0000FFFF0000FFFF) << 16) | ((x >> 16) & 0x0000FFFF0000FFFF);
        return (x << 32) | (x >> 32);
    }

    private static ulong ReadBigEndian(byte[] b, int o) =>
        (ulong)b[o] << 56 | (ulong)b[o + 1] << 48 | (ulong)b[o + 2] << 40 | (ulong)b[o + 3] << 32 |
        (ulong)b[o + 4] << 24 | (ulong)b[o + 5] << 16 | (ulong)b[o + 6] << 8 | b[o + 7];

    private static void WriteBigEndian(byte[] b, int o, ulong v)
    {
        for (int i = 7; i >= 0; i--, v >>= 8) b[o + i] = (byte)v;
    }
}
