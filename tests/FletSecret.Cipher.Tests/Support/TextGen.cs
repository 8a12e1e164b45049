using System;
using System.Text;
using CsCheck;

namespace FletSecret.Cipher.Tests;

/// <summary>Generators of well-formed Unicode text: ASCII, BMP letters, surrogate pairs, NUL, combining marks, white space.</summary>
internal static class TextGen
{
    /// <summary>One Unicode scalar value as UTF-16 (one char or a surrogate pair).</summary>
    public static readonly Gen<string> Scalar = Gen.Frequency(
        (30, Gen.Char[' ', '~'].Select(c => c.ToString())),
        (10, Gen.Char['\u00A0', '\uD7FF'].Select(c => c.ToString())),
        (5, Gen.Char['\uE000', '\uFFFF'].Select(c => c.ToString())),
        (10, Gen.Int[0x10000, 0x10FFFF].Select(char.ConvertFromUtf32)),
        (5, Gen.Char['\u0300', '\u036F'].Select(c => c.ToString())),
        (3, Gen.Const("\0")),
        (3, Gen.OneOf("\n", "\r\n", "\t", "\u2028", "\uFEFF")),
        (2, Gen.Char['\u0001', '\u001F'].Select(c => c.ToString())));

    /// <summary>Text of 0..maxScalars scalar values.</summary>
    public static Gen<string> Text(int maxScalars) =>
        Scalar.Array[0, maxScalars].Select(parts => string.Concat(parts));

    /// <summary>A deterministic pseudo-random text of exactly <paramref name="chars"/> UTF-16 chars, all scalars well formed.</summary>
    public static string Deterministic(int chars, int seed)
    {
        var random = new Random(seed);
        var builder = new StringBuilder(chars);
        while (builder.Length < chars)
        {
            int kind = random.Next(10);
            if (kind < 5) builder.Append((char)random.Next(0x20, 0x7F));
            else if (kind < 7) builder.Append((char)random.Next(0xA0, 0xD800));
            else if (kind < 8 && builder.Length + 2 <= chars) builder.Append(char.ConvertFromUtf32(random.Next(0x10000, 0x110000)));
            else if (kind < 9) builder.Append((char)random.Next(0x300, 0x370));
            else builder.Append('\0');
        }
        return builder.ToString();
    }
}
