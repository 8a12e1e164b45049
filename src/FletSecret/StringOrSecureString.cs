using System;
using System.Security;

namespace FletSecret;

/// <summary>
/// A plaintext given to Protect-FletString: a string or a SecureString. PowerShell converts either to this type
/// through its constructors, so a SecureString is never turned into its type name or a managed string on the way.
/// </summary>
public sealed class StringOrSecureString
{
    /// <summary>Wraps a string.</summary>
    public StringOrSecureString(string value) => Text = value ?? throw new ArgumentNullException(nameof(value));

    /// <summary>Wraps a SecureString.</summary>
    public StringOrSecureString(SecureString value) => Secure = value ?? throw new ArgumentNullException(nameof(value));

    /// <summary>The string, when one was given.</summary>
    public string? Text { get; }

    /// <summary>The SecureString, when one was given.</summary>
    public SecureString? Secure { get; }

    /// <summary>The type of value, never the value.</summary>
    public override string ToString() => Secure is null ? "System.String" : "System.Security.SecureString";
}
