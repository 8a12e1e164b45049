using System;
using System.Runtime.InteropServices;

namespace FletSecret.Cipher;

/// <summary>
/// PBKDF2-HMAC-SHA256 by Windows CNG (bcrypt.dll: BCryptDeriveKeyPBKDF2 over a SHA-256 provider opened with
/// BCRYPT_ALG_HANDLE_HMAC_FLAG), for the netstandard2.0 build on .NET Framework (Windows PowerShell 5.1), where the
/// managed PBKDF2 costs several times as much. Used only after a known-answer self-test has passed in this process;
/// anywhere else (not Windows, no bcrypt.dll, FLETSECRET_NATIVE=0, a failed self-test) the managed PBKDF2 derives.
/// The net8.0 build does not use it: its platform PBKDF2 is CNG on Windows already.
/// </summary>
internal sealed class CngPbkdf2
{
    /// <summary>Derives 32 bytes into destination[0..32); false when the call failed (the caller falls back).</summary>
    internal delegate bool DeriveFunction(byte[] password, byte[] salt, int iterations, byte[] destination);

    private static readonly Lazy<(CngPbkdf2? Engine, string Reason)> Selected = new(() =>
        Select(RuntimeInformation.IsOSPlatform(OSPlatform.Windows), Environment.GetEnvironmentVariable(NativePbkdf2Switch), OpenBCrypt));

    /// <summary>The switch shared with the native engine of the net8.0 build: "0" turns both off.</summary>
    internal const string NativePbkdf2Switch = "FLETSECRET_NATIVE";

    private readonly DeriveFunction _derive;

    private CngPbkdf2(DeriveFunction derive) => _derive = derive;

    /// <summary>The engine of this process, or null where the managed PBKDF2 derives (see <see cref="Reason"/>).</summary>
    public static CngPbkdf2? Current => Selected.Value.Engine;

    /// <summary>What derives a key one at a time through this class, or why the managed PBKDF2 does.</summary>
    public static string Reason => Selected.Value.Reason;

    /// <summary>Derives 32 bytes; false when CNG refused, and the caller derives with the managed PBKDF2.</summary>
    public bool TryDeriveKey(byte[] password, byte[] salt, int iterations, byte[] destination)
    {
        // CNG writes 32 bytes wherever it is pointed and takes the count as an unsigned 64-bit number: checked here,
        // as the managed engines check them, before a native call could write past the array or run ~2^64 rounds.
        if (password is null) throw new ArgumentNullException(nameof(password));
        if (salt is null) throw new ArgumentNullException(nameof(salt));
        if (destination is null) throw new ArgumentNullException(nameof(destination));
        if (destination.Length < Pbkdf2.KeySize) throw new ArgumentException("The destination holds fewer than 32 bytes.", nameof(destination));
        if (iterations < 1) throw new ArgumentOutOfRangeException(nameof(iterations), "The iteration count must be 1 or more.");
        return _derive(password, salt, iterations, destination);
    }

    /// <summary>
    /// The engine where <paramref name="windows"/>, not switched off, <paramref name="open"/> succeeds and its
    /// function passes <see cref="SelfTest"/>; otherwise null and why.
    /// </summary>
    internal static (CngPbkdf2? Engine, string Reason) Select(bool windows, string? switchValue, Func<DeriveFunction> open)
    {
        if (switchValue == "0") return (null, $"managed PBKDF2 (CNG off: {NativePbkdf2Switch}=0)");
        if (!windows) return (null, "managed PBKDF2 (netstandard2.0 build; CNG is on Windows only)");
        DeriveFunction derive;
        try
        {
            derive = open();
        }
        catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException || e is BadImageFormatException || e is CngUnavailableException)
        {
            return (null, $"managed PBKDF2 (CNG unavailable: {e.Message})");
        }
        if (!SelfTest(derive)) return (null, "managed PBKDF2 (CNG PBKDF2 failed its known-answer self-test)");
        return (new CngPbkdf2(derive), "CNG PBKDF2 (BCryptDeriveKeyPBKDF2, bcrypt.dll)");
    }

    /// <summary>
    /// Published vectors (RFC 7914 section 11, and the PBKDF2-HMAC-SHA256 vectors for "password"/"salt" at 1, 2 and
    /// 4096 iterations), then the managed PBKDF2 on an empty passphrase, one over 64 bytes (HMAC hashes it first) and a
    /// Flet-sized salt. Any mismatch, failure or exception is a failed test.
    /// </summary>
    internal static bool SelfTest(DeriveFunction derive)
    {
        try
        {
            byte[] password = Ascii("password"), salt = Ascii("salt");
            if (!Matches(derive, Ascii("passwd"), salt, 1, "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc")) return false;
            if (!Matches(derive, password, salt, 1, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b")) return false;
            if (!Matches(derive, password, salt, 2, "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43")) return false;
            if (!Matches(derive, password, salt, 4096, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a")) return false;

            var flatSalt = new byte[16];
            for (int i = 0; i < flatSalt.Length; i++) flatSalt[i] = (byte)(7 * i + 1);
            var longPassword = new byte[100];
            for (int i = 0; i < longPassword.Length; i++) longPassword[i] = (byte)(31 * i + 5);
            foreach (byte[] candidate in new[] { new byte[0], longPassword })
            {
                var expected = new byte[Pbkdf2.KeySize];
                var actual = new byte[Pbkdf2.KeySize];
                ManagedPbkdf2Sha256.DeriveKey(candidate, flatSalt, 1000, expected);
                if (!derive(candidate, flatSalt, 1000, actual) || !Equal(expected, actual)) return false;
            }
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }

    private static bool Matches(DeriveFunction derive, byte[] password, byte[] salt, int iterations, string hex)
    {
        var actual = new byte[Pbkdf2.KeySize];
        if (!derive(password, salt, iterations, actual)) return false;
        var expected = new byte[Pbkdf2.KeySize];
        for (int i = 0; i < expected.Length; i++) expected[i] = Convert.ToByte(hex.Substring(2 * i, 2), 16);
        return Equal(expected, actual);
    }

    private static bool Equal(byte[] left, byte[] right)
    {
        if (left.Length != right.Length) return false;
        int difference = 0;
        for (int i = 0; i < left.Length; i++) difference |= left[i] ^ right[i];
        return difference == 0;
    }

    private static byte[] Ascii(string text)
    {
        var bytes = new byte[text.Length];
        for (int i = 0; i < text.Length; i++) bytes[i] = (byte)text[i];
        return bytes;
    }

    /// <summary>Opens the HMAC-SHA256 provider once for the process (CNG algorithm handles are safe to share).</summary>
    private static DeriveFunction OpenBCrypt()
    {
        int status = BCrypt.BCryptOpenAlgorithmProvider(out IntPtr algorithm, "SHA256", null, BCrypt.AlgorithmHandleHmacFlag);
        if (status != 0) throw new CngUnavailableException($"BCryptOpenAlgorithmProvider returned 0x{status:x8}");
        // An empty array may be marshalled as a null pointer, which CNG refuses even with a length of 0 (as .NET's own
        // PBKDF2 on Windows works around): a one-byte array stands in, with the length still 0.
        var empty = new byte[1];
        return (password, salt, iterations, destination) =>
            BCrypt.BCryptDeriveKeyPBKDF2(algorithm, password.Length == 0 ? empty : password, (uint)password.Length,
                salt.Length == 0 ? empty : salt, (uint)salt.Length, (ulong)iterations, destination, Pbkdf2.KeySize, 0) == 0;
    }

    private sealed class CngUnavailableException : Exception
    {
        public CngUnavailableException(string message) : base(message)
        {
        }
    }

    private static class BCrypt
    {
        public const uint AlgorithmHandleHmacFlag = 0x00000008; // BCRYPT_ALG_HANDLE_HMAC_FLAG

        [DllImport("bcrypt.dll", CharSet = CharSet.Unicode)]
        public static extern int BCryptOpenAlgorithmProvider(out IntPtr algorithm, string algorithmId, string? implementation, uint flags);

        [DllImport("bcrypt.dll")]
        public static extern int BCryptDeriveKeyPBKDF2(IntPtr prf, byte[] password, uint passwordLength, byte[] salt, uint saltLength,
            ulong iterations, byte[] derivedKey, uint derivedKeyLength, uint flags);
    }
}
