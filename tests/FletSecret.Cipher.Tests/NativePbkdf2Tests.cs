#if !LIBRARY_NETSTANDARD
using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using Xunit.Abstractions;

namespace FletSecret.Cipher.Tests;

/// <summary>
/// The native single-chain engine (net8.0 build, Linux) over libcrypto's SHA256_Transform: bit for bit the platform
/// PBKDF2, and each way it turns itself off leaves the platform PBKDF2 deriving the same keys.
/// </summary>
public class NativePbkdf2Tests
{
    private readonly ITestOutputHelper _output;

    public NativePbkdf2Tests(ITestOutputHelper output) => _output = output;

    private static bool SwitchedOffHere => Environment.GetEnvironmentVariable(NativePbkdf2Sha256.Switch) == "0";

    private static byte[] Platform(byte[] password, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, 32);

    /// <summary>The engine of this process as the probe finds it with the switch unset.</summary>
    private static NativePbkdf2Sha256 Engine()
    {
        NativePbkdf2Sha256.Probe probe = NativePbkdf2Sha256.Run(NativePbkdf2Sha256.ProbeInputs.FromProcess(null));
        Assert.True(probe.Engine is not null, "no native engine: " + probe.Reason);
        return probe.Engine!;
    }

    private static byte[] Native(NativePbkdf2Sha256 engine, byte[] password, byte[] salt, int iterations)
    {
        // A larger destination: the engine must write exactly [0..32) and nothing after.
        var key = new byte[40];
        for (int i = 32; i < 40; i++) key[i] = 0xA5;
        Assert.True(engine.TryDeriveKey(password, salt, iterations, key));
        for (int i = 32; i < 40; i++) Assert.Equal(0xA5, key[i]);
        return key.AsSpan(0, 32).ToArray();
    }

    private static string[] MappedLibcrypto() =>
        File.ReadLines("/proc/self/maps")
            .Select(line => line.Contains('/') ? line.Substring(line.IndexOf('/')) : "")
            .Where(path => Path.GetFileName(path).StartsWith("libcrypto.so", StringComparison.Ordinal))
            .Distinct()
            .ToArray();

    [Fact]
    public void On_Linux_the_engine_derives_single_keys_over_the_libcrypto_dotnet_loaded_and_loads_no_other()
    {
        NativePbkdf2Sha256.Probe current = NativePbkdf2Sha256.Current;
        _output.WriteLine($"engine: {current.Reason}; FletKeyDeriver.Engine: {FletKeyDeriver.Engine}");
        Assert.Equal(current.Reason, FletKeyDeriver.Engine);
        if (!OperatingSystem.IsLinux() || SwitchedOffHere)
        {
            Assert.Null(current.Engine);
            Assert.StartsWith("platform PBKDF2", current.Reason);
            return;
        }

        Assert.NotNull(current.Engine);
        Assert.Contains("SHA256_Transform", current.Reason);
        Assert.Contains("libcrypto.so", current.Reason);
        Assert.False(current.Engine!.FipsMode());
        // One libcrypto in the process, the one .NET's OpenSSL shim loaded (its version is the one .NET reports).
        string[] mapped = MappedLibcrypto();
        _output.WriteLine("mapped: " + string.Join(", ", mapped));
        Assert.Single(mapped);
    }

    [Theory]
    // RFC 7914 section 11 / widely published PBKDF2-HMAC-SHA256 values (as in Pbkdf2Tests).
    [InlineData("password", "salt", 1, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b")]
    [InlineData("password", "salt", 2, "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43")]
    [InlineData("password", "salt", 4096, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a")]
    [InlineData("passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1")]
    public void Known_answers(string password, string salt, int iterations, string expectedHex)
    {
        if (!OperatingSystem.IsLinux()) return;
        Assert.Equal(expectedHex, Codec.ToHex(Native(Engine(), Encoding.ASCII.GetBytes(password), Encoding.ASCII.GetBytes(salt), iterations)));
    }

    [Fact]
    public void Four_thousand_random_derivations_equal_the_platform_PBKDF2()
    {
        if (!OperatingSystem.IsLinux()) return;
        NativePbkdf2Sha256 engine = Engine();
        int seed = Environment.TickCount;
        _output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        int[] edgeLengths = { 0, 1, 31, 32, 33, 55, 56, 63, 64, 65, 119, 120, 127, 128, 129, 300 };
        int nonAscii = 0, long64 = 0, empty = 0;
        for (int n = 0; n < 4000; n++)
        {
            byte[] password;
            switch (n % 4)
            {
                case 0:
                    password = new byte[n / 4 < edgeLengths.Length ? edgeLengths[n / 4] : random.Next(0, 301)];
                    random.NextBytes(password);
                    break;
                default:
                    // Text as a user types it: ASCII, accents, CJK, emoji (surrogate pairs), NUL, combining marks.
                    password = Encoding.UTF8.GetBytes(TextGen.Deterministic(random.Next(0, 90), random.Next()));
                    break;
            }
            if (password.Any(b => b >= 0x80)) nonAscii++;
            if (password.Length > 64) long64++;
            if (password.Length == 0) empty++;
            var salt = new byte[random.Next(0, 4) == 0 ? random.Next(0, 130) : 16];
            random.NextBytes(salt);
            int iterations = random.Next(0, 10) == 0 ? random.Next(1, 4) : random.Next(1, 600);

            byte[] expected = Platform(password, salt, iterations);
            Assert.True(expected.AsSpan().SequenceEqual(Native(engine, password, salt, iterations)),
                $"case {n} (seed {seed}): password {password.Length} bytes, salt {salt.Length} bytes, {iterations} iterations");
        }
        _output.WriteLine($"non-ASCII {nonAscii}, over 64 bytes {long64}, empty {empty}");
        Assert.True(nonAscii > 1000 && long64 > 300 && empty > 0, $"non-ASCII {nonAscii}, over 64 bytes {long64}, empty {empty}");
    }

    [Fact]
    public void Every_Flet_vector_key_comes_out_of_the_engine()
    {
        if (!OperatingSystem.IsLinux()) return;
        NativePbkdf2Sha256 engine = Engine();
        foreach (FletVector vector in Vectors.Flet.Value)
        {
            byte[] key = Native(engine, Encoding.UTF8.GetBytes(vector.Secret), Convert.FromHexString(vector.Salt), vector.Iterations);
            Assert.Equal(vector.FernetKey, Codec.B64Url(key));
        }
    }

    [Fact]
    public async Task Sixteen_threads_at_once_each_get_their_own_correct_keys()
    {
        if (!OperatingSystem.IsLinux()) return;
        NativePbkdf2Sha256 engine = Engine();
        using var start = new Barrier(16);
        int mismatches = 0, derived = 0;
        Task[] threads = Enumerable.Range(0, 16).Select(thread => Task.Factory.StartNew(() =>
        {
            var random = new Random(4242 + thread);
            start.SignalAndWait();
            for (int n = 0; n < 25; n++)
            {
                var password = new byte[random.Next(0, 100)];
                var salt = new byte[16];
                random.NextBytes(password);
                random.NextBytes(salt);
                int iterations = random.Next(500, 3000);
                byte[] key = Native(engine, password, salt, iterations);
                // Through the shared entry point too, which every cmdlet call uses.
                var shared = new byte[32];
                Pbkdf2.DeriveKey(password, salt, iterations, shared);
                byte[] expected = Platform(password, salt, iterations);
                if (!expected.AsSpan().SequenceEqual(key) || !expected.AsSpan().SequenceEqual(shared)) Interlocked.Increment(ref mismatches);
                Interlocked.Increment(ref derived);
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        await Task.WhenAll(threads);
        Assert.Equal(16 * 25, derived);
        Assert.Equal(0, mismatches);
    }

    // The ways the engine turns itself off, each forced. The platform PBKDF2 then derives, with the same keys.

    private static NativePbkdf2Sha256.ProbeInputs Real() => NativePbkdf2Sha256.ProbeInputs.FromProcess(null);

    private static void AssertFallsBackToThePlatform(NativePbkdf2Sha256.Probe probe, string reason)
    {
        Assert.Null(probe.Engine);
        Assert.StartsWith("platform PBKDF2 (Rfc2898DeriveBytes)", probe.Reason);
        Assert.Contains(reason, probe.Reason);
        byte[] password = "fallback 🔑"u8.ToArray(), salt = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();
        var key = new byte[32];
        Pbkdf2.DeriveKey(password, salt, 1000, key, probe.Engine);
        Assert.Equal(Platform(password, salt, 1000), key);
    }

    [Fact]
    public void The_switch_at_0_turns_the_engine_off()
    {
        AssertFallsBackToThePlatform(NativePbkdf2Sha256.Run(NativePbkdf2Sha256.ProbeInputs.FromProcess("0")), "FLETSECRET_NATIVE=0");
        // Any other value leaves it on.
        if (OperatingSystem.IsLinux()) Assert.NotNull(NativePbkdf2Sha256.Run(NativePbkdf2Sha256.ProbeInputs.FromProcess("1")).Engine);
    }

    [Fact]
    public void Off_outside_Linux()
    {
        AssertFallsBackToThePlatform(NativePbkdf2Sha256.Run(Real() with { IsLinux = false }), "platform PBKDF2");
    }

    [Fact]
    public void A_libcrypto_without_SHA256_Transform_turns_it_off()
    {
        if (!OperatingSystem.IsLinux()) return;
        NativePbkdf2Sha256.ProbeInputs real = Real();
        var probe = NativePbkdf2Sha256.Run(real with { Export = name => name == "SHA256_Transform" ? (false, IntPtr.Zero) : real.Export(name) });
        AssertFallsBackToThePlatform(probe, "has no SHA256_Transform");
    }

    [Fact]
    public void A_libcrypto_that_cannot_report_FIPS_mode_turns_it_off()
    {
        if (!OperatingSystem.IsLinux()) return;
        NativePbkdf2Sha256.ProbeInputs real = Real();
        var probe = NativePbkdf2Sha256.Run(real with
        {
            Export = name => name is "EVP_default_properties_is_fips_enabled" or "FIPS_mode" ? (false, IntPtr.Zero) : real.Export(name),
        });
        AssertFallsBackToThePlatform(probe, "FIPS mode");
    }

    [Fact]
    public void No_libcrypto_loaded_by_dotnet_turns_it_off()
    {
        AssertFallsBackToThePlatform(NativePbkdf2Sha256.Run(Real() with { Library = null }), "no libcrypto");
    }

    [Fact]
    public void A_block_function_that_computes_something_else_fails_the_self_test_and_turns_it_off()
    {
        if (!OperatingSystem.IsLinux()) return;
        NativePbkdf2Sha256.ProbeInputs real = Real();
        // SHA1_Transform takes the same (context, block) arguments and returns a wrong state: a broken export.
        Assert.True(real.Export("SHA1_Transform").Found);
        var probe = NativePbkdf2Sha256.Run(real with { Export = name => real.Export(name == "SHA256_Transform" ? "SHA1_Transform" : name) });
        AssertFallsBackToThePlatform(probe, "failed its self-test");
    }

    [Fact]
    public void OpenSSL_in_FIPS_mode_turns_it_off_at_the_probe_and_at_every_derivation()
    {
        if (!OperatingSystem.IsLinux()) return;
        AssertFallsBackToThePlatform(NativePbkdf2Sha256.Run(Real() with { FipsOverride = () => true }), "FIPS mode");

        // FIPS mode switched on after the probe: the engine refuses, and the platform PBKDF2 derives instead.
        bool fips = false;
        NativePbkdf2Sha256? engine = NativePbkdf2Sha256.Run(Real() with { FipsOverride = () => fips }).Engine;
        Assert.NotNull(engine);
        fips = true;
        byte[] password = "later"u8.ToArray(), salt = new byte[16];
        var key = new byte[32];
        Assert.False(engine!.TryDeriveKey(password, salt, 10, key));
        Assert.Equal(new byte[32], key);
        Pbkdf2.DeriveKey(password, salt, 10, key, engine);
        Assert.Equal(Platform(password, salt, 10), key);
    }
}
#endif
