using System;
using System.Threading;
#if NET8_0_OR_GREATER
using System.Buffers;
#endif

namespace FletSecret.Cipher;

/// <summary>
/// Working buffers for one token, always zeroed before they go back. Small ones come from the shared pool (net8.0).
/// Large ones (a token of a big plaintext) go through one process-wide slot: the shared pool keeps large arrays per
/// thread, so an encrypt on one thread and a decrypt on another would each hold a buffer the size of the token.
/// The slot holds its array weakly, so the garbage collector can take it back.
/// </summary>
internal static class LargeBuffer
{
    private const int LargeSize = 1024 * 1024;
    private static WeakReference<byte[]>? _slot;

    public static byte[] Rent(int length)
    {
        if (length >= LargeSize)
        {
            WeakReference<byte[]>? slot = Interlocked.Exchange(ref _slot, null);
            if (slot is not null && slot.TryGetTarget(out byte[]? cached) && cached.Length >= length) return cached;
            return new byte[length];
        }
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
        if (buffer.Length >= LargeSize)
        {
            // Keep the larger of the cached and the returned array.
            WeakReference<byte[]>? current = Volatile.Read(ref _slot);
            if (current is null || !current.TryGetTarget(out byte[]? cached) || cached.Length < buffer.Length)
            {
                Interlocked.Exchange(ref _slot, new WeakReference<byte[]>(buffer));
            }
            return;
        }
#if NET8_0_OR_GREATER
        ArrayPool<byte>.Shared.Return(buffer);
#endif
    }
}
