using System;
using System.Runtime.InteropServices;
using Xunit;

namespace FletSecret.Cipher.Tests;

/// <summary>
/// The CNG PBKDF2 of the netstandard2.0 build (Windows PowerShell 5.1): chosen only on Windows, after its known-answer
/// self-test; elsewhere, switched off, unavailable or wrong, the managed PBKDF2 derives. Its selection logic is tested
/// here with stand-in derive functions; on Windows the real bcrypt.dll is tested too.
/// </summary>
public class CngPbkdf2Tests
{
    private static readonly CngPbkdf2.DeriveFunction Managed = (password, salt, iterations, destination) =>
    {
        ManagedPbkdf2Sha256.DeriveKey(password, salt, iterations, destination);
        return true;
    };

    private static CngPbkdf2.DeriveFunction Never() => throw new InvalidOperationException("must not be opened");

    [Fact]
    public void The_self_test_passes_a_correct_PBKDF2()
    {
        Assert.True(CngPbkdf2.SelfTest(Managed));
        Assert.True(CngPbkdf2.SelfTest((p, s, c, d) =>
        {
            Pbkdf2.DeriveKey(p, s, c, d);
            return true;
        }));
    }

    [Fact]
    public void The_self_test_fails_a_wrong_a_failing_or_a_throwing_PBKDF2()
    {
        // One bit off in every key.
        Assert.False(CngPbkdf2.SelfTest((p, s, c, d) =>
        {
            ManagedPbkdf2Sha256.DeriveKey(p, s, c, d);
            d[31] ^= 1;
            return true;
        }));
        // Right for short passphrases only (HMAC must hash one over 64 bytes first).
        Assert.False(CngPbkdf2.SelfTest((p, s, c, d) =>
        {
            ManagedPbkdf2Sha256.DeriveKey(p.Length > 64 ? new byte[64] : p, s, c, d);
            return true;
        }));
        // One iteration whatever the count.
        Assert.False(CngPbkdf2.SelfTest((p, s, c, d) =>
        {
            ManagedPbkdf2Sha256.DeriveKey(p, s, 1, d);
            return true;
        }));
        // An empty passphrase refused (a status code that is not success).
        Assert.False(CngPbkdf2.SelfTest((p, s, c, d) =>
        {
            if (p.Length == 0) return false;
            ManagedPbkdf2Sha256.DeriveKey(p, s, c, d);
            return true;
        }));
        Assert.False(CngPbkdf2.SelfTest((p, s, c, d) => throw new AccessViolationException()));
    }

    [Fact]
    public void Off_Windows_or_switched_off_the_managed_PBKDF2_derives_and_CNG_is_never_opened()
    {
        (CngPbkdf2? engine, string reason) = CngPbkdf2.Select(windows: false, switchValue: null, Never);
        Assert.Null(engine);
        Assert.Equal("managed PBKDF2 (netstandard2.0 build; CNG is on Windows only)", reason);

        (engine, reason) = CngPbkdf2.Select(windows: true, switchValue: "0", Never);
        Assert.Null(engine);
        Assert.Contains("FLETSECRET_NATIVE=0", reason);
    }

    [Fact]
    public void On_Windows_without_bcrypt_or_with_a_wrong_one_the_managed_PBKDF2_derives()
    {
        (CngPbkdf2? engine, string reason) = CngPbkdf2.Select(true, null, () => throw new DllNotFoundException("bcrypt.dll"));
        Assert.Null(engine);
        Assert.StartsWith("managed PBKDF2 (CNG unavailable: ", reason);

        (engine, reason) = CngPbkdf2.Select(true, null, () => throw new EntryPointNotFoundException("BCryptDeriveKeyPBKDF2"));
        Assert.Null(engine);

        (engine, reason) = CngPbkdf2.Select(true, null, () => (p, s, c, d) => true); // leaves the key as zeros
        Assert.Null(engine);
        Assert.Equal("managed PBKDF2 (CNG PBKDF2 failed its known-answer self-test)", reason);
    }

    [Fact]
    public void On_Windows_a_PBKDF2_that_passes_is_used_and_a_call_it_refuses_falls_back()
    {
        bool refuse = false;
        (CngPbkdf2? engine, string reason) = CngPbkdf2.Select(true, null, () => (p, s, c, d) => !refuse && Managed(p, s, c, d));
        Assert.NotNull(engine);
        Assert.Equal("CNG PBKDF2 (BCryptDeriveKeyPBKDF2, bcrypt.dll)", reason);
        var key = new byte[32];
        Assert.True(engine!.TryDeriveKey(new byte[] { 1, 2, 3 }, new byte[16], 10, key));
        refuse = true;
        Assert.False(engine.TryDeriveKey(new byte[] { 1, 2, 3 }, new byte[16], 10, key));
    }

    [Fact]
    public void A_short_destination_or_a_count_below_1_never_reaches_the_native_call()
    {
        // bcrypt writes 32 bytes past whatever it is given and reads the count as a ULONGLONG (-1 is 2^64 - 1 rounds).
        int calls = 0;
        (CngPbkdf2? engine, _) = CngPbkdf2.Select(true, null, () => (p, s, c, d) =>
        {
            calls++;
            return Managed(p, s, c, d);
        });
        int selfTestCalls = calls;
        Assert.Throws<ArgumentException>(() => engine!.TryDeriveKey(new byte[3], new byte[16], 10, new byte[16]));
        Assert.Throws<ArgumentOutOfRangeException>(() => engine!.TryDeriveKey(new byte[3], new byte[16], 0, new byte[32]));
        Assert.Throws<ArgumentOutOfRangeException>(() => engine!.TryDeriveKey(new byte[3], new byte[16], -1, new byte[32]));
        Assert.Equal(selfTestCalls, calls);
        Assert.True(engine!.TryDeriveKey(new byte[3], new byte[16], 10, new byte[32]));
        Assert.Equal(selfTestCalls + 1, calls);
    }

    [Fact]
    public void This_process_uses_CNG_exactly_on_Windows_and_it_gives_the_managed_keys()
    {
        bool switchedOff = Environment.GetEnvironmentVariable(CngPbkdf2.NativePbkdf2Switch) == "0";
        bool windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
        Assert.Equal(windows && !switchedOff, CngPbkdf2.Current is not null);
        if (CngPbkdf2.Current is null) return;
        var random = new Random(22);
        for (int i = 0; i < 50; i++)
        {
            var password = new byte[random.Next(0, 130)];
            var salt = new byte[16];
            random.NextBytes(password);
            random.NextBytes(salt);
            int iterations = random.Next(1, 3000);
            byte[] expected = new byte[32], actual = new byte[32];
            ManagedPbkdf2Sha256.DeriveKey(password, salt, iterations, expected);
            Assert.True(CngPbkdf2.Current.TryDeriveKey(password, salt, iterations, actual));
            Assert.Equal(expected, actual);
        }
    }
}
