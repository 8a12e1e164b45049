using System.Security.Cryptography;

namespace FletSecret.Cipher;

internal static class SecureRandom
{
    private static readonly RandomNumberGenerator Generator = RandomNumberGenerator.Create();

    public static byte[] Bytes(int count)
    {
        var bytes = new byte[count];
        Generator.GetBytes(bytes); // thread-safe on .NET Framework and .NET
        return bytes;
    }
}
