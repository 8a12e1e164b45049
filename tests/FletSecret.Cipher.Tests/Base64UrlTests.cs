using System;
using System.Text;
using Xunit;

namespace FletSecret.Cipher.Tests;

/// <summary>The library's own base64: writes exactly what Python writes, reads tolerantly but never wrongly.</summary>
public sealed class Base64UrlTests
{
    [Fact]
    public void Encodes_as_python_urlsafe_b64encode_for_lengths_0_to_100()
    {
        var random = new Random(5);
        for (int length = 0; length <= 100; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            var ascii = new byte[Base64Url.EncodedLength(length)];
            Base64Url.Encode(data, 0, length, ascii, 0);
            string expected = Codec.B64Url(data);
            Assert.Equal(expected, Encoding.ASCII.GetString(ascii));
            Assert.Equal(data, Internals.Base64Decode(expected));
            Assert.Equal(data, Internals.Base64Decode(expected.TrimEnd('=')));
            Assert.Equal(data, Internals.Base64Decode(Convert.ToBase64String(data)));

            // In place, as the inner layer is decoded.
            byte[] buffer = Encoding.ASCII.GetBytes("0123456789" + expected);
            int count = Base64Url.DecodeInPlace(buffer, 10, buffer.Length - 10, "test");
            Assert.Equal(data, buffer.AsSpan(10, count).ToArray());
        }
    }

    [Theory]
    [InlineData("A")]          // a length no encoding gives
    [InlineData("AAAAA")]
    [InlineData("AA=A")]       // data after padding
    [InlineData("AA==A")]
    [InlineData("A===")]
    [InlineData("AAA==")]      // too much padding for the length
    [InlineData("AA=")]
    [InlineData("=")]
    [InlineData("AA%A")]
    [InlineData("AA.A")]
    [InlineData("AAé=")]
    [InlineData("AA\0A")]
    [InlineData("AA\u00A0A")]  // no-break space is not white space here
    public void Rejects_what_is_not_base64(string text)
    {
        TokenAssert.Fails(FletTokenError.InvalidFormat, () => Internals.Base64Decode(text));
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("  \r\n\t", "")]
    [InlineData("AA==", "00")]
    [InlineData("AA", "00")]
    [InlineData("A A = =", "00")]
    [InlineData("_-8+/w==", "ffef3eff")]  // both alphabets at once
    [InlineData("AB", "00")]        // leftover bits are ignored, as Python does
    public void Reads_tolerantly(string text, string hex)
    {
        Assert.Equal(hex, Codec.ToHex(Internals.Base64Decode(text)));
    }
}
