using System;
using System.Runtime.CompilerServices;
#if NET8_0_OR_GREATER
using System.Security.Cryptography;
#endif

namespace FletSecret.Cipher;

/// <summary>Zeroing and constant-time comparison on both targets.</summary>
internal static class SecureMemory
{
    public static void Zero(byte[]? buffer)
    {
        if (buffer is null) return;
#if NET8_0_OR_GREATER
        CryptographicOperations.ZeroMemory(buffer);
#else
        ZeroNoInline(buffer, 0, buffer.Length);
#endif
    }

    public static void Zero(char[]? buffer)
    {
        if (buffer is null) return;
        // Array.Clear is a call the JIT cannot drop: the array stays reachable afterwards.
        Array.Clear(buffer, 0, buffer.Length);
    }

#if !NET8_0_OR_GREATER
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.NoOptimization)]
    private static void ZeroNoInline(byte[] buffer, int offset, int count)
    {
        for (int i = offset; i < offset + count; i++) buffer[i] = 0;
    }
#endif

    /// <summary>Compares two equal-length ranges in time that depends only on the length.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.NoOptimization)]
    public static bool FixedTimeEquals(byte[] left, int leftOffset, byte[] right, int rightOffset, int count)
    {
#if NET8_0_OR_GREATER
        return CryptographicOperations.FixedTimeEquals(
            left.AsSpan(leftOffset, count), right.AsSpan(rightOffset, count));
#else
        int diff = 0;
        for (int i = 0; i < count; i++)
        {
            diff |= left[leftOffset + i] ^ right[rightOffset + i];
        }
        return diff == 0;
#endif
    }
}
