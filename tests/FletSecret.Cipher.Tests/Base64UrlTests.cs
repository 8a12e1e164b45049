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
    [InlineData("A===")]       // '=' after one character is skipped, as Python skips it: still one character
    [InlineData("AAé=")]       // outside ASCII: Python refuses it in a str
    [InlineData("AA\u00A0A")]  // no-break space: outside ASCII
    public void Rejects_what_Python_refuses(string text)
    {
        TokenAssert.Fails(FletTokenError.InvalidFormat, () => Internals.Base64Decode(text));
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("  \r\n\t", "")]
    [InlineData("AA==", "00")]
    [InlineData("AA", "00")]               // missing padding: the one tolerance beyond Python
    [InlineData("AA=", "00")]
    [InlineData("A A = =", "00")]
    [InlineData("_-8+/w==", "ffef3eff")]  // both alphabets at once
    [InlineData("AB", "00")]               // leftover bits are ignored, as Python does
    [InlineData("AA==A", "00")]            // decoding ends at the padding: what follows is ignored, as by Python
    [InlineData("AA==\"}, more text", "00")]
    [InlineData("AAA==", "0000")]
    [InlineData("AA=A", "0000")]           // one '=' does not complete "AA": Python reads on
    [InlineData("=", "")]
    [InlineData("AA%A", "0000")]           // ASCII outside the alphabet is skipped, as by Python
    [InlineData("\"AA.A\",", "0000")]
    [InlineData("AA\0A", "0000")]
    public void Reads_what_Python_reads(string text, string hex)
    {
        Assert.Equal(hex, Codec.ToHex(Internals.Base64Decode(text)));
    }

    /// <summary>
    /// Differential against Python's base64.urlsafe_b64decode, which Flet's decrypt calls: on random base64 with
    /// characters inserted, replaced and appended (padding, white space, ASCII junk, text after the padding), this
    /// reader gives what Python gives for the same text with "==" appended: the same bytes, or an error for both.
    /// </summary>
    [PythonFact]
    public void Reads_as_Python_urlsafe_b64decode_on_mutated_text()
    {
        var random = new Random(21);
        const string Extra = "=== \t\r\n.,;:\"'{}[]!#%&*~`|\\<>?@^$\0+/-_";
        var texts = new System.Collections.Generic.List<string>();
        for (int n = 0; n < 600; n++)
        {
            var data = new byte[random.Next(0, 40)];
            random.NextBytes(data);
            var text = new StringBuilder(random.Next(2) == 0 ? Codec.B64Url(data) : Convert.ToBase64String(data));
            int edits = random.Next(0, 4);
            for (int e = 0; e < edits; e++)
            {
                char c = random.Next(3) == 0 ? Codec.B64Url(new[] { (byte)random.Next(256) })[random.Next(2)] : Extra[random.Next(Extra.Length)];
                int at = random.Next(text.Length + 1);
                switch (random.Next(3))
                {
                    case 0: text.Insert(at, c); break;
                    case 1 when at < text.Length: text[at] = c; break;
                    default: text.Append(c); break;
                }
            }
            texts.Add(text.ToString());
        }
        var results = PythonFlet.Batch(System.Linq.Enumerable.Select(texts, t => PythonFlet.B64Decode(t + "==")));
        int agreedFailures = 0;
        for (int i = 0; i < texts.Count; i++)
        {
            string? mine;
            try
            {
                mine = Codec.ToHex(Internals.Base64Decode(texts[i]));
            }
            catch (FletTokenException e) when (e.Error == FletTokenError.InvalidFormat)
            {
                mine = null;
            }
            Assert.True(results[i].Ok == (mine is not null), $"case {i} '{texts[i]}': python {(results[i].Ok ? "reads" : "refuses")} it, this reader {(mine is null ? "refuses" : "reads")} it");
            if (mine is null) agreedFailures++;
            else Assert.Equal(results[i].Value, mine);
        }
        // The mutations reach both outcomes.
        Assert.InRange(agreedFailures, 20, texts.Count - 200);
    }
}
