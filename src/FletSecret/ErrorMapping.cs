using System;
using System.Management.Automation;
using FletSecret.Cipher;

namespace FletSecret;

/// <summary>Turns the cipher's errors into error records with stable ids, specific categories and advice.</summary>
internal static class ErrorMapping
{
    public static ErrorRecord ForToken(FletTokenException e, object? target, string advice)
    {
        (string id, ErrorCategory category) = e.Error switch
        {
            FletTokenError.InvalidFormat => ("FletSecret.InvalidToken", ErrorCategory.InvalidData),
            FletTokenError.AuthenticationFailed => ("FletSecret.AuthenticationFailed", ErrorCategory.SecurityError),
            FletTokenError.Expired => ("FletSecret.TokenExpired", ErrorCategory.InvalidData),
            FletTokenError.TimestampInFuture => ("FletSecret.TokenFromFuture", ErrorCategory.InvalidData),
            FletTokenError.NotUtf8Text => ("FletSecret.NotUtf8Text", ErrorCategory.InvalidData),
            FletTokenError.InvalidText => ("FletSecret.InvalidText", ErrorCategory.InvalidData),
            FletTokenError.TooLarge => ("FletSecret.InputTooLarge", ErrorCategory.LimitsExceeded),
            FletTokenError.NoTimestamp => ("FletSecret.NoTimestamp", ErrorCategory.InvalidArgument),
            _ => ("FletSecret.InvalidToken", ErrorCategory.InvalidData),
        };
        if (e.Error == FletTokenError.TooLarge && Equals(e.Data[TextCodec.LimitKey], TextCodec.SecureStringLimit))
            advice = $"Read the token as a string: leave out -AsSecureString (a SecureString holds at most {TextCodec.MaxSecureStringLength} characters).";
        var record = new ErrorRecord(e, id, category, target);
        record.ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = advice };
        return record;
    }

    public static ErrorRecord ForKeySource(KeySourceException e) =>
        new(e, e.ErrorId, e.Category, e.Target)
        {
            ErrorDetails = new ErrorDetails(e.Message) { RecommendedAction = e.RecommendedAction },
        };

    /// <summary>What to try next, by error kind; never quotes the input.</summary>
    public static string Advice(FletTokenError error, string iterationsTried, int keysTried = 1) => error switch
    {
        FletTokenError.AuthenticationFailed when keysTried > 1 =>
            $"Tried {keysTried} keys, each with {iterationsTried} PBKDF2 iterations. Check that one of the keys is the secret key " +
            "the token was made with. Tokens made by Flet 0.27.4 or older use 100000 iterations: add -Iterations 600000,100000.",
        FletTokenError.AuthenticationFailed =>
            $"Tried {iterationsTried} PBKDF2 iterations. Check that the key is the app's secret key. Tokens made by Flet 0.27.4 " +
            "or older use 100000 iterations: add -Iterations 600000,100000.",
        FletTokenError.InvalidFormat => "Check that the whole token was copied, with nothing added or cut off.",
        FletTokenError.Expired => "The token is older than -MaxAge: make a new one, or raise -MaxAge.",
        FletTokenError.TimestampInFuture => "Check the clock of this machine and of the machine that made the token.",
        FletTokenError.NotUtf8Text => "The token was not made from text by Flet; it cannot be read as a string.",
        FletTokenError.InvalidText => "Fix the encoding of the text; Flet could not encrypt it either.",
        FletTokenError.TooLarge => $"Split the data; a token holds at most {FletTokenLimits.MaxPlaintextBytes} bytes of text.",
        FletTokenError.NoTimestamp =>
            "AES-GCM tokens (Protect-FletString -Algorithm AesGcm, Flet's encrypt_aes_gcm_256) record no time: read them without -MaxAge, " +
            "and make tokens that must expire with the default Fernet algorithm.",
        _ => "Check the input.",
    };
}
