using System;

namespace FletSecret.Cipher;

/// <summary>Why a token could not be made or read. The values are stable; callers map them to their own error ids.</summary>
public enum FletTokenError
{
    /// <summary>Not a Flet token: not base64, too short, wrong Fernet version byte or a length that no token has.</summary>
    InvalidFormat,

    /// <summary>The HMAC (Fernet) or the tag (AES-GCM) does not match: the wrong passphrase or iteration count, or a modified token.</summary>
    AuthenticationFailed,

    /// <summary>The token is older than the maximum age that was asked for.</summary>
    Expired,

    /// <summary>The token's timestamp is more than 60 seconds in the future (checked only with a maximum age, as Python does).</summary>
    TimestampInFuture,

    /// <summary>The token is authentic but its plaintext is not UTF-8 text.</summary>
    NotUtf8Text,

    /// <summary>A plaintext or passphrase holds a lone UTF-16 surrogate, which has no UTF-8 form (Python rejects it too).</summary>
    InvalidText,

    /// <summary>The input is larger than the documented limit.</summary>
    TooLarge,

    /// <summary>A maximum age was asked for, but the token (an AES-GCM one) records no time.</summary>
    NoTimestamp,
}

/// <summary>
/// A token could not be made or read. The message never holds a passphrase, a key or a plaintext.
/// </summary>
public sealed class FletTokenException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FletTokenException(FletTokenError error, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
    }

    /// <summary>What went wrong, as a stable code.</summary>
    public FletTokenError Error { get; }

    internal static FletTokenException Format(string detail) =>
        new(FletTokenError.InvalidFormat, "The input is not a Flet token: " + detail);

    internal static FletTokenException Authentication() =>
        new(FletTokenError.AuthenticationFailed,
            "The token could not be authenticated: the passphrase or iteration count is wrong, or the token was modified.");
}
