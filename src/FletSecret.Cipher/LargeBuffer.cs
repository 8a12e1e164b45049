using System;
#if NET8_0_OR_GREATER
using System.Buffers;
#endif

namespace FletSecret.Cipher;

/// <summary>
/// Working buffers for one token. On net8.0 they come from the shared pool, so a bulk run or a large token
/// reuses memory instead of churning the large-object heap; they are always zeroed before they go back.
/// </summary>
internal static class LargeBuffer
{
    public static byte[] Rent(int length)
    {
#if NET8_0_OR_GREATER
        return ArrayPool<byte>.Shared.Rent(length);
#else
        return new byte[length];
#endif
    }

    /// <summary>Zeroes buffer[0..used) and gives the buffer back.</summary>
    public static void Return(byte[] buffer, int used)
    {
        Array.Clear(buffer, 0, Math.Min(used, buffer.Length));
#if NET8_0_OR_GREATER
        ArrayPool<byte>.Shared.Return(buffer);
#endif
    }
}
