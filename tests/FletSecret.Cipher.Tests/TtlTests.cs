using System;
using System.Text;
using Xunit;

namespace FletSecret.Cipher.Tests;

/// <summary>
/// The maximum age follows Python cryptography's Fernet exactly: expired when timestamp + ttl &lt; now (strict),
/// too far ahead when now + 60 &lt; timestamp, both only when a ttl is given; now is whole Unix seconds.
/// </summary>
public sealed class TtlTests : IDisposable
{
    private const long Made = 1_700_000_000;
    private readonly FletPassphrase _passphrase = new("ttl");
    private readonly FletKey _key;
    private readonly string _token;

    public TtlTests()
    {
        _key = _passphrase.CreateKey(1);
        _token = _key.Encrypt(Encoding.UTF8.GetBytes("fresh"), new byte[16], DateTimeOffset.FromUnixTimeSeconds(Made));
    }

    public void Dispose()
    {
        _key.Dispose();
        _passphrase.Dispose();
    }

    private static DateTimeOffset At(long unixSeconds, int milliseconds = 0) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).AddMilliseconds(milliseconds);

    [Theory]
    [InlineData(60, Made + 59, 0, true)]
    [InlineData(60, Made + 60, 0, true)]      // timestamp + ttl == now: still valid (strict <)
    [InlineData(60, Made + 60, 999, true)]    // now is whole seconds, as Python's int(time.time())
    [InlineData(60, Made + 61, 0, false)]
    [InlineData(0, Made, 0, true)]
    [InlineData(0, Made + 1, 0, false)]
    [InlineData(1, Made + 2, 0, false)]
    [InlineData(3600, Made + 3600, 0, true)]
    [InlineData(3600, Made + 3601, 0, false)]
    public void Expired_exactly_when_timestamp_plus_ttl_is_before_now(int ttlSeconds, long now, int ms, bool valid)
    {
        TimeSpan ttl = TimeSpan.FromSeconds(ttlSeconds);
        if (valid) Assert.Equal("fresh", _key.Decrypt(_token, ttl, At(now, ms)));
        else TokenAssert.Fails(FletTokenError.Expired, () => _key.Decrypt(_token, ttl, At(now, ms)));
    }

    [Theory]
    [InlineData(Made - 59, true)]
    [InlineData(Made - 60, true)]             // now + 60 == timestamp: still valid
    [InlineData(Made - 61, false)]
    [InlineData(Made - 3600, false)]
    public void Too_far_ahead_exactly_when_now_plus_60_is_before_timestamp(long now, bool valid)
    {
        TimeSpan ttl = TimeSpan.FromDays(365);
        if (valid) Assert.Equal("fresh", _key.Decrypt(_token, ttl, At(now)));
        else TokenAssert.Fails(FletTokenError.TimestampInFuture, () => _key.Decrypt(_token, ttl, At(now)));
    }

    [Fact]
    public void Without_a_maximum_age_neither_is_checked()
    {
        Assert.Equal("fresh", _key.Decrypt(_token, null, At(Made + 100L * 365 * 86400)));
        Assert.Equal("fresh", _key.Decrypt(_token, null, At(0)));
        Assert.Equal("fresh", _key.Decrypt(_token)); // the real clock, years after the timestamp
        Assert.Equal("fresh", _passphrase.Decrypt(_token, 1));
        Assert.Equal("fresh", FletSecurity.Decrypt(_token, "ttl", 1));
    }

    [Fact]
    public void The_one_shot_calls_use_the_real_clock()
    {
        TokenAssert.Fails(FletTokenError.Expired, () => _passphrase.Decrypt(_token, 1, TimeSpan.FromDays(1)));
        TokenAssert.Fails(FletTokenError.Expired, () => FletSecurity.Decrypt(_token, "ttl", 1, TimeSpan.FromDays(1)));
        Assert.Equal("fresh", FletSecurity.Decrypt(_token, "ttl", 1, TimeSpan.FromDays(365 * 100)));
        Assert.Equal("fresh", _key.Decrypt(_token, TimeSpan.MaxValue));
    }

    [Fact]
    public void Extreme_timestamps_are_handled()
    {
        // A timestamp of 2^64 - 1 (beyond any DateTimeOffset): authentic, unreadable as a time, far in the future.
        byte[] plaintext = Encoding.UTF8.GetBytes("far");
        byte[] payload = Fernet.Seal(_key.KeyBytes, plaintext, 0, plaintext.Length, new byte[16], -1);
        string token = Codec.FromPayload(_key.GetSalt(), payload);
        FletTokenInfo info = FletTokenInfo.Parse(token);
        Assert.Equal(ulong.MaxValue, info.UnixTimeSeconds);
        Assert.Null(info.Timestamp);
        Assert.Equal("far", _key.Decrypt(token));
        TokenAssert.Fails(FletTokenError.TimestampInFuture, () => _key.Decrypt(token, TimeSpan.MaxValue, DateTimeOffset.MaxValue));

        // Timestamp 0 with the latest possible clock and the longest age: not expired (2.5e11 s < TimeSpan.MaxValue).
        string old = _key.Encrypt(plaintext, new byte[16], DateTimeOffset.FromUnixTimeSeconds(0));
        Assert.Equal("far", _key.Decrypt(old, TimeSpan.MaxValue, DateTimeOffset.MaxValue));
        TokenAssert.Fails(FletTokenError.Expired, () => _key.Decrypt(old, TimeSpan.FromDays(365 * 1000), DateTimeOffset.MaxValue));
    }

    [Fact]
    public void A_negative_maximum_age_is_an_argument_error()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _key.Decrypt(_token, TimeSpan.FromTicks(-1), At(Made)));
    }
}
