using System;
using Xunit;

namespace FletSecret.Cipher.Tests;

internal static class TokenAssert
{
    /// <summary>Asserts that the action throws a FletTokenException (exactly that type) with the given error.</summary>
    public static FletTokenException Fails(FletTokenError expected, Action action)
    {
        var e = Assert.Throws<FletTokenException>(action);
        Assert.True(expected == e.Error, $"expected {expected} but got {e.Error}: {e.Message}");
        return e;
    }

    public static FletTokenException Fails(FletTokenError expected, Func<object?> action) => Fails(expected, () => { action(); });

    /// <summary>Runs a decrypt on untrusted input: a FletTokenException is fine, any other exception is a bug.</summary>
    public static (string? Plaintext, FletTokenException? Error) Try(Func<string> decrypt)
    {
        try
        {
            return (decrypt(), null);
        }
        catch (FletTokenException e)
        {
            return (null, e);
        }
    }

    /// <summary>Padded base64url, as Python writes it.</summary>
    public const string PaddedBase64UrlPattern = "^[A-Za-z0-9_-]+={0,2}$";
}
