using System;

namespace FletSecret.Cipher;

/// <summary>
/// Base64 for both layers of a Flet token. Writes padded base64url exactly as Python's
/// <c>base64.urlsafe_b64encode</c>; reads it more tolerantly: white space anywhere, missing
/// <c>=</c> padding and the standard <c>+</c> <c>/</c> alphabet are accepted, anything else is an error.
/// </summary>
internal static class Base64Url
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    private const sbyte Invalid = -1, Space = -2, Pad = -3;
    private static readonly sbyte[] DecodeMap = BuildDecodeMap();

    private static sbyte[] BuildDecodeMap()
    {
        var map = new sbyte[128];
        for (int i = 0; i < map.Length; i++) map[i] = Invalid;
        for (int i = 0; i < Alphabet.Length; i++) map[Alphabet[i]] = (sbyte)i;
        map['+'] = 62;
        map['/'] = 63;
        map[' '] = map['\t'] = map['\r'] = map['\n'] = map['\f'] = map['\v'] = Space;
        map['='] = Pad;
        return map;
    }

    public static int EncodedLength(int byteCount) => checked((byteCount + 2) / 3 * 4);

    /// <summary>Writes padded base64url of source[offset..offset+count) as ASCII bytes from destination[d].</summary>
    public static void Encode(byte[] source, int offset, int count, byte[] destination, int d)
    {
        int end = offset + count, i = offset;
        for (; i + 2 < end; i += 3)
        {
            int v = source[i] << 16 | source[i + 1] << 8 | source[i + 2];
            destination[d++] = (byte)Alphabet[v >> 18];
            destination[d++] = (byte)Alphabet[(v >> 12) & 63];
            destination[d++] = (byte)Alphabet[(v >> 6) & 63];
            destination[d++] = (byte)Alphabet[v & 63];
        }
        int rest = end - i;
        if (rest == 0) return;
        int w = source[i] << 16 | (rest == 2 ? source[i + 1] << 8 : 0);
        destination[d++] = (byte)Alphabet[w >> 18];
        destination[d++] = (byte)Alphabet[(w >> 12) & 63];
        destination[d++] = rest == 2 ? (byte)Alphabet[(w >> 6) & 63] : (byte)'=';
        destination[d] = (byte)'=';
    }

    /// <summary>The characters of text other than the white space the decoder skips.</summary>
    public static int SignificantLength(string text) => SignificantLength(new StringSource(text), text.Length);

    /// <summary>The characters of text other than the white space the decoder skips.</summary>
    public static int SignificantLength(char[] text) => SignificantLength(new CharSource(text), text.Length);

    private static int SignificantLength<TSource>(TSource source, int length)
        where TSource : struct, ISource
    {
        int count = 0;
        for (int i = 0; i < length; i++)
        {
            int c = source[i];
            if (c >= 128 || DecodeMap[c] != Space) count++;
        }
        return count;
    }

    /// <summary>Whether every byte of buffer[offset..offset+count) is a character this reader accepts (base64 text).</summary>
    public static bool IsText(byte[] buffer, int offset, int count)
    {
        for (int i = offset; i < offset + count; i++)
        {
            byte c = buffer[i];
            if (c >= 128 || DecodeMap[c] == Invalid) return false;
        }
        return true;
    }

    /// <summary>Checks a whole string and returns how many bytes it decodes to.</summary>
    public static int DecodedLength(string text, string layer) => DecodedLength(new StringSource(text), 0, text.Length, layer);

    /// <summary>Checks whole text held in characters (as from a SecureString) and returns how many bytes it decodes to.</summary>
    public static int DecodedLength(char[] text, string layer) => DecodedLength(new CharSource(text), 0, text.Length, layer);

    /// <summary>Decodes a string that <see cref="DecodedLength(string, string)"/> has checked into destination[0..).</summary>
    public static void Decode(string text, byte[] destination) => DecodeInto(new StringSource(text), 0, text.Length, destination, 0);

    /// <summary>Decodes characters that <see cref="DecodedLength(char[], string)"/> has checked into destination[0..).</summary>
    public static void Decode(char[] text, byte[] destination) => DecodeInto(new CharSource(text), 0, text.Length, destination, 0);

    /// <summary>
    /// Decodes ASCII text held in <paramref name="buffer"/>[offset..offset+count) into the same buffer from
    /// <paramref name="offset"/> on; safe because the writer never passes the reader. Returns the byte count.
    /// </summary>
    public static int DecodeInPlace(byte[] buffer, int offset, int count, string layer)
    {
        var source = new ByteSource(buffer);
        int length = DecodedLength(source, offset, count, layer);
        DecodeInto(source, offset, count, buffer, offset);
        return length;
    }

    private static int DecodedLength<TSource>(TSource source, int offset, int count, string layer)
        where TSource : struct, ISource
    {
        int data = 0, padding = 0;
        for (int i = offset; i < offset + count; i++)
        {
            int c = source[i];
            sbyte kind = c < 128 ? DecodeMap[c] : Invalid;
            if (kind >= 0)
            {
                if (padding != 0) throw FletTokenException.Format($"the {layer} has characters after its '=' padding.");
                data++;
            }
            else if (kind == Pad) padding++;
            else if (kind == Invalid)
                throw FletTokenException.Format($"the {layer} holds a character that is not base64 (position {i - offset}).");
        }

        int remainder = data % 4;
        if (remainder == 1)
            throw FletTokenException.Format($"the {layer} has a base64 length that no encoding gives; it may be truncated.");
        if (padding != 0 && (padding > 2 || (data + padding) % 4 != 0))
            throw FletTokenException.Format($"the {layer} has wrong '=' padding.");
        return data / 4 * 3 + (remainder == 0 ? 0 : remainder - 1);
    }

    private static void DecodeInto<TSource>(TSource source, int offset, int count, byte[] destination, int d)
        where TSource : struct, ISource
    {
        int accumulator = 0, bits = 0;
        for (int i = offset; i < offset + count; i++)
        {
            int c = source[i];
            int value = DecodeMap[c]; // DecodedLength has already rejected everything outside the map
            if (value < 0) continue;
            accumulator = (accumulator << 6) | value;
            bits += 6;
            if (bits >= 8)
            {
                bits -= 8;
                destination[d++] = (byte)(accumulator >> bits);
                accumulator &= (1 << bits) - 1;
            }
        }
        // Leftover bits (fewer than 8) are padding bits; like Python, they are ignored.
    }

    private interface ISource { int this[int index] { get; } }

    private readonly struct StringSource : ISource
    {
        private readonly string _text;
        public StringSource(string text) => _text = text;
        public int this[int index] => _text[index];
    }

    private readonly struct CharSource : ISource
    {
        private readonly char[] _chars;
        public CharSource(char[] chars) => _chars = chars;
        public int this[int index] => _chars[index];
    }

    private readonly struct ByteSource : ISource
    {
        private readonly byte[] _bytes;
        public ByteSource(byte[] bytes) => _bytes = bytes;
        public int this[int index] => _bytes[index];
    }
}
