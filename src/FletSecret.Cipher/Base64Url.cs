using System;

namespace FletSecret.Cipher;

/// <summary>
/// Base64 for both layers of a Flet token. Writes padded base64url exactly as Python's
/// <c>base64.urlsafe_b64encode</c>; reads exactly what Python's <c>base64.urlsafe_b64decode</c> (Flet's reader) reads,
/// to the same bytes: characters outside the alphabet are skipped (white space, quotes, any ASCII), the standard
/// <c>+</c> <c>/</c> alphabet is accepted, and decoding ends at the <c>=</c> padding that completes a quantum, so text
/// after it is ignored. A character outside ASCII is an error in text (Python refuses it in a str), skipped in the
/// bytes of the inner layer (as Python skips it in bytes). One tolerance more than Python: missing padding at the end
/// is read as if it were there (Python's result for the same text with "==" appended), where Python fails.
/// </summary>
internal static class Base64Url
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    private const sbyte Skipped = -1, Space = -2, Pad = -3;
    private static readonly sbyte[] DecodeMap = BuildDecodeMap();

    private static sbyte[] BuildDecodeMap()
    {
        var map = new sbyte[128];
        for (int i = 0; i < map.Length; i++) map[i] = Skipped;
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

    /// <summary>Whether every byte of buffer[offset..offset+count) is base64 text: the alphabets, '=' or white space.</summary>
    public static bool IsText(byte[] buffer, int offset, int count)
    {
        for (int i = offset; i < offset + count; i++)
        {
            byte c = buffer[i];
            if (c >= 128 || DecodeMap[c] == Skipped) return false;
        }
        return true;
    }

    /// <summary>
    /// The first byte that bytes held in buffer[offset..offset+count) decode to (the inner layer, characters skipped as
    /// <see cref="DecodeInPlace"/> skips them), or -1 when they hold fewer than two base64 characters.
    /// </summary>
    public static int FirstDecodedByte(byte[] buffer, int offset, int count)
    {
        int first = -1;
        for (int i = offset; i < offset + count; i++)
        {
            byte c = buffer[i];
            int value = c < 128 ? DecodeMap[c] : Skipped;
            if (value < 0) continue; // '=' before two characters is skipped too, as Python does
            if (first < 0) first = value;
            else return (first << 2 | value >> 4) & 0xFF;
        }
        return -1;
    }

    /// <summary>Checks a whole string and returns how many bytes it decodes to.</summary>
    public static int DecodedLength(string text, string layer) => Scan(new StringSource(text), 0, text.Length, layer, inBytes: false, out _);

    /// <summary>Checks whole text held in characters (as from a SecureString) and returns how many bytes it decodes to.</summary>
    public static int DecodedLength(char[] text, string layer) => Scan(new CharSource(text), 0, text.Length, layer, inBytes: false, out _);

    /// <summary>Decodes a string that <see cref="DecodedLength(string, string)"/> has checked into destination[0..).</summary>
    public static void Decode(string text, byte[] destination)
    {
        var source = new StringSource(text);
        Scan(source, 0, text.Length, "text", inBytes: false, out int end);
        DecodeInto(source, 0, end, destination, 0);
    }

    /// <summary>Decodes characters that <see cref="DecodedLength(char[], string)"/> has checked into destination[0..).</summary>
    public static void Decode(char[] text, byte[] destination)
    {
        var source = new CharSource(text);
        Scan(source, 0, text.Length, "text", inBytes: false, out int end);
        DecodeInto(source, 0, end, destination, 0);
    }

    /// <summary>
    /// Decodes base64 held as bytes in <paramref name="buffer"/>[offset..offset+count) (the inner layer) into the same
    /// buffer from <paramref name="offset"/> on; safe because the writer never passes the reader. Returns the byte count.
    /// </summary>
    public static int DecodeInPlace(byte[] buffer, int offset, int count, string layer)
    {
        var source = new ByteSource(buffer);
        int length = Scan(source, offset, count, layer, inBytes: true, out int end);
        DecodeInto(source, offset, end - offset, buffer, offset);
        return length;
    }

    /// <summary>
    /// Python's <c>binascii.a2b_base64</c> (not strict): how many bytes the text decodes to, and where decoding ends
    /// (<paramref name="end"/>: after the padding that completes a quantum, or the end of the text).
    /// </summary>
    private static int Scan<TSource>(TSource source, int offset, int count, string layer, bool inBytes, out int end)
        where TSource : struct, ISource
    {
        int data = 0, quantum = 0, pads = 0;
        end = offset + count;
        for (int i = offset; i < offset + count; i++)
        {
            int c = source[i];
            if (c >= 128)
            {
                if (inBytes) continue;
                throw FletTokenException.Format($"the {layer} holds a character outside ASCII (position {i - offset}), which is not base64.");
            }
            sbyte kind = DecodeMap[c];
            if (kind == Pad)
            {
                // As Python: '=' ends the data once it completes a quantum of at least two characters; else it is skipped.
                if (quantum >= 2 && quantum + ++pads >= 4)
                {
                    end = i + 1;
                    break;
                }
                continue;
            }
            if (kind < 0) continue;
            data++;
            pads = 0;
            quantum = (quantum + 1) & 3;
        }
        if (quantum == 1)
            throw FletTokenException.Format($"the {layer} has a base64 length that no encoding gives; it may be truncated.");
        return data / 4 * 3 + (quantum == 0 ? 0 : quantum - 1);
    }

    private static void DecodeInto<TSource>(TSource source, int offset, int count, byte[] destination, int d)
        where TSource : struct, ISource
    {
        int accumulator = 0, bits = 0;
        for (int i = offset; i < offset + count; i++)
        {
            int c = source[i];
            if (c >= 128) continue;
            int value = DecodeMap[c];
            if (value < 0) continue; // white space, padding and other characters are skipped, as Python does
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
