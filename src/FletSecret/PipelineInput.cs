using System;
using System.Management.Automation;
using System.Security;
using FletSecret.Cipher;

namespace FletSecret;

/// <summary>
/// Reads the items bound to an InputObject parameter of type object[]: a string, a SecureString or null as given,
/// and an object that has the parameter's name or an alias as a property (an Import-Csv row) as that property's
/// value, which is what PowerShell's by-property-name binding would have bound. The parameter is object[] so that a
/// SecureString binds as itself and the syntax shows no helper type.
/// </summary>
internal static class PipelineInput
{
    /// <summary>
    /// Hands a SecureString token's characters to <paramref name="use"/> (no string is made of them) and zeroes them
    /// when it returns; false, without calling it, when the SecureString was disposed before it could be read.
    /// </summary>
    public static bool WithChars(SecureString secure, Action<char[]> use)
    {
        char[] chars;
        try
        {
            chars = TextCodec.ToChars(secure);
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        try
        {
            use(chars);
        }
        finally
        {
            SecureMemory.Zero(chars);
        }
        return true;
    }

    /// <summary>The items of one record; a piped $null binds as a null array, which is one null item.</summary>
    public static object?[] Items(object?[]? bound) => bound ?? new object?[] { null };

    /// <summary>The item's string, SecureString or null; else the object itself (as a PSObject when it is one).</summary>
    public static object? Resolve(object? item, string[] propertyNames) => Resolve(item, propertyNames, out _);

    /// <summary>
    /// As <see cref="Resolve(object?, string[])"/>, and the name of the property the value came from (null for the
    /// item itself). A property's value is returned as it is, never as PowerShell's text of it: a hashtable or an
    /// array there is for the caller to refuse, not to encrypt as "System.Collections.Hashtable" or "a b".
    /// </summary>
    public static object? Resolve(object? item, string[] propertyNames, out string? property)
    {
        property = null;
        object? value = Unwrap(item);
        if (value is null || value is string || value is SecureString) return value;
        PSObject wrapped = PSObject.AsPSObject(item);
        foreach (string name in propertyNames)
        {
            PSPropertyInfo? found = wrapped.Properties[name];
            if (found is null) continue;
            property = found.Name;
            return Unwrap(found.Value);
        }
        return value;
    }

    /// <summary>Whether a value is a number PowerShell would bind as its text (42 gives "42").</summary>
    public static bool IsNumber(object value) =>
        value is byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal or System.Numerics.BigInteger;

    /// <summary>PowerShell's own conversion to a string (culture-invariant), as binding to a string parameter does.</summary>
    public static string ToText(object value) => LanguagePrimitives.ConvertTo<string>(value);

    /// <summary>The type name to show for an item that is not text, never its value.</summary>
    public static string TypeName(object value) =>
        value is PSObject wrapped && wrapped.BaseObject is PSCustomObject ? "PSCustomObject" : (value is PSObject p ? p.BaseObject : value).GetType().Name;

    private static object? Unwrap(object? value) =>
        value is PSObject wrapped && wrapped.BaseObject is not PSCustomObject ? wrapped.BaseObject : value;
}
