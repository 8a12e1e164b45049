#if NET8_0_OR_GREATER
using System;
using System.Buffers.Binary;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Security.Cryptography;

namespace FletSecret.Cipher;

/// <summary>
/// PBKDF2-HMAC-SHA256, one chain, over the SHA-256 block function (<c>SHA256_Transform</c>) of the libcrypto that
/// .NET itself loaded on Linux. OpenSSL 3's PBKDF2 driver spends more per iteration in its provider layer than in
/// the hash; this loop does only the two compressions an iteration needs (the HMAC inner and outer states computed
/// once), each through OpenSSL's SHA-NI or ARMv8 block code, called without a GC transition. It never loads an
/// OpenSSL of its own, and stays off (the platform PBKDF2 is used) when the export is missing, its known-answer
/// self-test fails, OpenSSL runs in FIPS mode or <see cref="Switch"/> is "0".
/// </summary>
internal sealed unsafe class NativePbkdf2Sha256
{
    /// <summary>Set to "0", this environment variable turns the engine off (the platform PBKDF2 only).</summary>
    public const string Switch = "FLETSECRET_NATIVE";

    /// <summary>SHA256_CTX: h[8], Nl, Nh, data[16], num, md_len; SHA256_Transform reads and writes only h.</summary>
    private const int ContextWords = 28;

    private static readonly Lazy<Probe> Shared = new(() => Run(ProbeInputs.FromProcess(Environment.GetEnvironmentVariable(Switch))));

    private readonly delegate* unmanaged[SuppressGCTransition]<uint*, byte*, void> _transform;
    private readonly delegate* unmanaged<IntPtr, int> _fipsEnabled3;
    private readonly delegate* unmanaged<int> _fipsMode11;
    private readonly Func<bool>? _fipsOverride;

    private NativePbkdf2Sha256(IntPtr transform, IntPtr fipsEnabled3, IntPtr fipsMode11, Func<bool>? fipsOverride, string name)
    {
        _transform = (delegate* unmanaged[SuppressGCTransition]<uint*, byte*, void>)transform;
        _fipsEnabled3 = (delegate* unmanaged<IntPtr, int>)fipsEnabled3;
        _fipsMode11 = (delegate* unmanaged<int>)fipsMode11;
        _fipsOverride = fipsOverride;
        Name = name;
    }

    /// <summary>Which library and block function derive, for example "OpenSSL 3.0.19 SHA256_Transform (libcrypto.so.3)".</summary>
    public string Name { get; }

    /// <summary>This process's engine, or null with the reason it is off; probed and self-tested once, on first use.</summary>
    public static Probe Current => Shared.Value;

    /// <summary>The outcome of looking for the engine: the engine, or null and why not.</summary>
    internal sealed record Probe(NativePbkdf2Sha256? Engine, string Reason);

    /// <summary>What the probe looks at; tests replace parts to force each way it can turn the engine off.</summary>
    internal sealed record ProbeInputs
    {
        /// <summary>The value of <see cref="Switch"/>.</summary>
        public string? SwitchValue { get; init; }

        /// <summary>
        /// Little-endian Linux only: the platform PBKDF2 is OpenSSL's there (CNG on Windows, CommonCrypto on macOS),
        /// which this engine beats by skipping OpenSSL's per-iteration overhead over the same block function.
        /// </summary>
        public bool IsLinux { get; init; }

        /// <summary>Finds an export of the libcrypto .NET loaded; returns false where it has none.</summary>
        public Func<string, (bool Found, IntPtr Address)> Export { get; init; } = _ => (false, IntPtr.Zero);

        /// <summary>The soname and version of .NET's libcrypto, or null where none is loaded.</summary>
        public string? Library { get; init; }

        /// <summary>Replaces OpenSSL's FIPS query (tests).</summary>
        public Func<bool>? FipsOverride { get; init; }

        /// <summary>This process, with <paramref name="switchValue"/> as the value of <see cref="Switch"/>.</summary>
        public static ProbeInputs FromProcess(string? switchValue)
        {
            string? library = null;
            IntPtr handle = IntPtr.Zero;
            if (OperatingSystem.IsLinux() && switchValue != "0")
            {
                try
                {
                    (handle, library) = DotNetLibcrypto();
                }
                catch (Exception)
                {
                    // No libcrypto that .NET loaded: the platform PBKDF2 reports its own error, if any, when called.
                }
            }
            return new ProbeInputs
            {
                SwitchValue = switchValue,
                // The loop lays out the block for a little-endian host (x64, arm64).
                IsLinux = OperatingSystem.IsLinux() && BitConverter.IsLittleEndian,
                Library = library,
                Export = name => handle != IntPtr.Zero && NativeLibrary.TryGetExport(handle, name, out IntPtr address)
                    ? (true, address) : (false, IntPtr.Zero),
            };
        }
    }

    /// <summary>
    /// The handle of the libcrypto that .NET's System.Security.Cryptography.Native.OpenSsl shim loaded: the same
    /// dlopen of the same soname, which returns the library already in the process, never a second one.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static (IntPtr Handle, string? Library) DotNetLibcrypto()
    {
        // Makes .NET load its OpenSSL (if it has not yet), and says which version it got.
        long version = SafeEvpPKeyHandle.OpenSslVersion;
        if (!LibcryptoMapped()) return (IntPtr.Zero, null);

        // .NET's shim tries CLR_OPENSSL_VERSION_OVERRIDE first, then the soname of each supported major version.
        string? overrideVersion = Environment.GetEnvironmentVariable("CLR_OPENSSL_VERSION_OVERRIDE");
        long major = (version >> 28) & 0xF, minor = (version >> 20) & 0xFF;
        string soname = !string.IsNullOrEmpty(overrideVersion) ? "libcrypto.so." + overrideVersion
            : major >= 3 ? "libcrypto.so." + major
            : major == 1 && minor == 1 ? "libcrypto.so.1.1"
            : "";
        if (soname.Length == 0 || !NativeLibrary.TryLoad(soname, out IntPtr handle)) return (IntPtr.Zero, null);

        // The same library as .NET's, or nothing: its version number must be the one .NET reports.
        if (!NativeLibrary.TryGetExport(handle, "OpenSSL_version_num", out IntPtr versionNum) ||
            ((delegate* unmanaged<nuint>)versionNum)() != (nuint)version)
        {
            NativeLibrary.Free(handle);
            return (IntPtr.Zero, null);
        }
        string text = NativeLibrary.TryGetExport(handle, "OpenSSL_version", out IntPtr versionText)
            ? Marshal.PtrToStringAnsi(((delegate* unmanaged<int, IntPtr>)versionText)(0)) ?? soname
            : soname;
        // "OpenSSL 3.0.19 27 Jan 2026" -> "OpenSSL 3.0.19"
        string[] words = text.Split(' ');
        if (words.Length >= 2) text = words[0] + " " + words[1];
        return (handle, $"{text}, {soname}");
    }

    /// <summary>Whether a libcrypto is already mapped into this process (so the dlopen above cannot load one).</summary>
    private static bool LibcryptoMapped()
    {
        foreach (string line in File.ReadLines("/proc/self/maps"))
        {
            int slash = line.LastIndexOf('/');
            if (slash >= 0 && line.AsSpan(slash + 1).StartsWith("libcrypto.so", StringComparison.Ordinal)) return true;
        }
        return false;
    }

    /// <summary>Decides whether the engine is used, from <paramref name="inputs"/>; self-tests it if so.</summary>
    internal static Probe Run(ProbeInputs inputs)
    {
        const string Platform = "platform PBKDF2 (Rfc2898DeriveBytes)";
        if (inputs.SwitchValue == "0") return new Probe(null, $"{Platform}; native engine switched off ({Switch}=0)");
        if (!inputs.IsLinux) return new Probe(null, Platform);
        if (inputs.Library is null) return new Probe(null, $"{Platform}; no libcrypto loaded by .NET found");

        (bool hasTransform, IntPtr transform) = inputs.Export("SHA256_Transform");
        if (!hasTransform) return new Probe(null, $"{Platform}; {inputs.Library} has no SHA256_Transform");
        // OpenSSL 3 asks its default library context; 1.1 has the one global FIPS_mode. One of them must be there.
        (bool hasFips3, IntPtr fips3) = inputs.Export("EVP_default_properties_is_fips_enabled");
        (bool hasFips11, IntPtr fips11) = hasFips3 ? (false, IntPtr.Zero) : inputs.Export("FIPS_mode");
        if (!hasFips3 && !hasFips11) return new Probe(null, $"{Platform}; {inputs.Library} cannot say whether it is in FIPS mode");

        var engine = new NativePbkdf2Sha256(transform, fips3, fips11, inputs.FipsOverride,
            $"native PBKDF2 over SHA256_Transform ({inputs.Library})");
        if (engine.FipsMode()) return new Probe(null, $"{Platform}; OpenSSL is in FIPS mode");
        if (!engine.SelfTest()) return new Probe(null, $"{Platform}; the native engine failed its self-test");
        return new Probe(engine, engine.Name);
    }

    /// <summary>Whether OpenSSL runs in FIPS mode now (the low-level call would bypass its FIPS provider).</summary>
    internal bool FipsMode()
    {
        if (_fipsOverride is not null) return _fipsOverride();
        if (_fipsEnabled3 != null) return _fipsEnabled3(IntPtr.Zero) != 0;
        return _fipsMode11() != 0;
    }

    /// <summary>
    /// Known answers before first use: a published vector, then passphrases of several lengths (one over 64 bytes,
    /// one of 64) against the platform PBKDF2.
    /// </summary>
    private bool SelfTest()
    {
        try
        {
            var key = new byte[32];
            // RFC 7914, section 11: PBKDF2-HMAC-SHA-256 (P="passwd", S="salt", c=1), first 32 bytes.
            Derive("passwd"u8.ToArray(), "salt"u8.ToArray(), 1, key);
            if (!key.AsSpan().SequenceEqual(Convert.FromHexString("55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc")))
                return false;

            var expected = new byte[32];
            foreach (int length in new[] { 0, 9, 64, 100 })
            {
                var password = new byte[length];
                for (int i = 0; i < length; i++) password[i] = (byte)(37 * i + length);
                var salt = new byte[16];
                for (int i = 0; i < salt.Length; i++) salt[i] = (byte)(i * 11 + length);
                int iterations = 200 + length;
                Derive(password, salt, iterations, key);
                Rfc2898DeriveBytes.Pbkdf2(password, salt, expected, iterations, HashAlgorithmName.SHA256);
                if (!key.AsSpan().SequenceEqual(expected)) return false;
            }
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }

    /// <summary>Derives 32 bytes into destination[0..32); false (nothing written) when OpenSSL is in FIPS mode now.</summary>
    public bool TryDeriveKey(byte[] password, byte[] salt, int iterations, byte[] destination)
    {
        if (FipsMode()) return false;
        Derive(password, salt, iterations, destination);
        return true;
    }

    private void Derive(byte[] password, byte[] salt, int iterations, byte[] destination)
    {
        var inner = new uint[8];
        var outer = new uint[8];
        var first = new uint[8];
        var w = new uint[64];
        try
        {
            ManagedPbkdf2Sha256.Prepare(password, salt, inner, outer, first, w);
            fixed (uint* innerState = inner, outerState = outer, u1 = first)
            {
                Chain(innerState, outerState, u1, iterations);
            }
            // Chain left T in first.
            ManagedPbkdf2Sha256.WriteBigEndian(first, destination, 0);
        }
        finally
        {
            Array.Clear(inner);
            Array.Clear(outer);
            Array.Clear(first);
            Array.Clear(w);
        }
    }

    /// <summary>The big-endian bytes of four host-order (little-endian) words.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> ByteSwap(Vector128<uint> words) =>
        Vector128.Shuffle(words.AsByte(), Vector128.Create((byte)3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12)).AsUInt32();

    /// <summary>T = U1 ^ U2 ^ ... ^ Uc into <paramref name="t"/> (which holds U1 on entry), two block calls per step.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Chain(uint* inner, uint* outer, uint* t, int iterations)
    {
        // All on the stack: the loop allocates nothing and nothing moves.
        uint* context = stackalloc uint[ContextWords];
        uint* block = stackalloc uint[16];
        var transform = _transform;
        try
        {
            // The second block of both hashes: a 32-byte digest, 0x80, zeros and the bit length (64 + 32) * 8,
            // in the big-endian byte order of a SHA-256 message; only words 0..7 change.
            for (int i = 8; i < 16; i++) block[i] = 0;
            block[8] = BinaryPrimitives.ReverseEndianness(0x80000000u);
            block[15] = BinaryPrimitives.ReverseEndianness((uint)((64 + 32) * 8));
            for (int i = 0; i < 8; i++) block[i] = BinaryPrimitives.ReverseEndianness(t[i]);
            // In 16-byte pieces on purpose, the way the block function loads and stores the state and the block: a
            // store that a load of another width spans defeats store-to-load forwarding, and every step waits for it
            // (measured: word by word costs about 1.3 times this, a 32-byte copy three times).
            Vector128<uint> inner0 = Vector128.Load(inner), inner1 = Vector128.Load(inner + 4);
            Vector128<uint> outer0 = Vector128.Load(outer), outer1 = Vector128.Load(outer + 4);
            Vector128<uint> t0 = Vector128.Load(t), t1 = Vector128.Load(t + 4);
            for (int iteration = 1; iteration < iterations; iteration++)
            {
                // The block function keeps its state as host-order words in the context and reads the block as bytes.
                Vector128.Store(inner0, context);
                Vector128.Store(inner1, context + 4);
                transform(context, (byte*)block);
                Vector128<uint> u0 = Vector128.Load(context), u1 = Vector128.Load(context + 4);
                Vector128.Store(ByteSwap(u0), block);
                Vector128.Store(ByteSwap(u1), block + 4);
                Vector128.Store(outer0, context);
                Vector128.Store(outer1, context + 4);
                transform(context, (byte*)block);
                u0 = Vector128.Load(context);
                u1 = Vector128.Load(context + 4);
                Vector128.Store(ByteSwap(u0), block);
                Vector128.Store(ByteSwap(u1), block + 4);
                t0 ^= u0;
                t1 ^= u1;
            }
            Vector128.Store(t0, t);
            Vector128.Store(t1, t + 4);
            inner0 = inner1 = outer0 = outer1 = t0 = t1 = default;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(new Span<byte>(context, ContextWords * sizeof(uint)));
            CryptographicOperations.ZeroMemory(new Span<byte>(block, 16 * sizeof(uint)));
        }
    }
}
#endif
