using System;
using System.Collections.Generic;

namespace FletSecret.Cipher;

/// <summary>One Flet token found in a text file: where it is (in code units and by line) and its text.</summary>
public sealed class FletTokenMatch
{
    internal FletTokenMatch(int unitIndex, int unitLength, int line, string token, FletAlgorithm algorithm)
    {
        UnitIndex = unitIndex;
        UnitLength = unitLength;
        Line = line;
        Token = token;
        Algorithm = algorithm;
    }

    /// <summary>Where the token starts, in code units of the file's encoding after any byte order mark.</summary>
    public int UnitIndex { get; }

    /// <summary>The token's length in code units (= characters: a token is ASCII).</summary>
    public int UnitLength { get; }

    /// <summary>The 1-based line the token is on (lines end with "\n", "\r\n" or "\r", as editors count them).</summary>
    public int Line { get; }

    /// <summary>The token as it stands in the file.</summary>
    public string Token { get; }

    /// <summary>The pair whose shape the token has.</summary>
    public FletAlgorithm Algorithm { get; }
}

/// <summary>
/// The bytes of a text file (a .env, JSON, YAML, CSV or config file) and the Flet tokens in it, found by shape; makes
/// the same bytes with tokens replaced, every other byte kept (encoding, byte order mark, line endings).
/// </summary>
/// <remarks>
/// The file is read as code units, never decoded to text, so nothing outside a token can change: one byte per unit
/// for UTF-8 and other ASCII-based encodings (a UTF-8 multi-byte character never holds an ASCII byte), two or four
/// for UTF-16 and UTF-32, told by their byte order mark (without one, such a file shows no tokens).
/// A token is a run of base64url characters (A-Z a-z 0-9 - _) with up to two '=' after it that:
/// <list type="bullet">
/// <item>stands alone: not next to another base64 character of either alphabet (+ / included), nor joined by '.' to
/// another base64url run (as the parts of a JWT are);</item>
/// <item>is as Python's urlsafe_b64encode writes it: a multiple of 4 long, at least the 88 characters of the
/// shortest token (an AES-GCM token of an empty plaintext);</item>
/// <item>decodes to a salt and a Fernet token (version byte, lengths, whole AES blocks) or an AES-GCM token that looks
/// random: 24 or more distinct values among the 48 bytes of its salt and nonce ("AAAA..." and other placeholders do
/// not), and both upper and lower case letters in its text (hex, such as a SHA-512 digest or `openssl rand -hex`
/// output, and other single-case text do not).</item>
/// </list>
/// A run that fails any of these is not a token and is left as it is. One that passes is taken for a token: a caller
/// that rotates must then open it or refuse the whole file, since a token under a key it does not have cannot be told
/// from 64 or more random bytes that merely have the AES-GCM shape.
/// </remarks>
public sealed class FletTextFile
{
    /// <summary>The fewest characters a Flet token has: base64 of salt, nonce and tag.</summary>
    public const int MinTokenLength = (FletAesGcm.MinTokenBytes + 2) / 3 * 4;

    private readonly byte[] _bytes;
    private readonly int _start;
    private readonly int _unit;
    private readonly bool _bigEndian;

    private FletTextFile(byte[] bytes, int start, int unit, bool bigEndian, string encoding)
    {
        _bytes = bytes;
        _start = start;
        _unit = unit;
        _bigEndian = bigEndian;
        Encoding = encoding;
        Tokens = Scan();
    }

    /// <summary>How the file was read: "UTF-8 (BOM)", "UTF-16LE", ... or "ASCII-compatible" (UTF-8 without BOM, Latin-1).</summary>
    public string Encoding { get; }

    /// <summary>The tokens, in file order.</summary>
    public IReadOnlyList<FletTokenMatch> Tokens { get; }

    /// <summary>The file's bytes as read (not a copy).</summary>
    internal byte[] Bytes => _bytes;

    /// <summary>Reads the tokens in <paramref name="bytes"/> (kept, not copied: do not change the array afterwards).</summary>
    public static FletTextFile Parse(byte[] bytes)
    {
        if (bytes is null) throw new ArgumentNullException(nameof(bytes));
        bool Starts(params byte[] mark)
        {
            if (bytes.Length < mark.Length) return false;
            for (int i = 0; i < mark.Length; i++) if (bytes[i] != mark[i]) return false;
            return true;
        }
        // UTF-32LE's mark starts with UTF-16LE's, so it is looked for first.
        if (Starts(0xFF, 0xFE, 0x00, 0x00)) return new FletTextFile(bytes, 4, 4, false, "UTF-32LE");
        if (Starts(0x00, 0x00, 0xFE, 0xFF)) return new FletTextFile(bytes, 4, 4, true, "UTF-32BE");
        if (Starts(0xFF, 0xFE)) return new FletTextFile(bytes, 2, 2, false, "UTF-16LE");
        if (Starts(0xFE, 0xFF)) return new FletTextFile(bytes, 2, 2, true, "UTF-16BE");
        if (Starts(0xEF, 0xBB, 0xBF)) return new FletTextFile(bytes, 3, 1, false, "UTF-8 (BOM)");
        return new FletTextFile(bytes, 0, 1, false, "ASCII-compatible");
    }

    private int UnitCount => (_bytes.Length - _start) / _unit;

    /// <summary>The code unit at <paramref name="index"/>.</summary>
    private int Unit(int index)
    {
        int at = _start + index * _unit;
        if (_unit == 1) return _bytes[at];
        int value = 0;
        for (int i = 0; i < _unit; i++)
        {
            int b = _bytes[_bigEndian ? at + i : at + _unit - 1 - i];
            value = value << 8 | b;
        }
        return value;
    }

    private static bool IsUrlDigit(int c) =>
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';

    private static bool IsAnyBase64(int c) => IsUrlDigit(c) || c == '+' || c == '/';

    private List<FletTokenMatch> Scan()
    {
        var found = new List<FletTokenMatch>();
        int count = UnitCount, line = 1, lineCountedTo = 0;
        for (int i = 0; i < count;)
        {
            if (!IsUrlDigit(Unit(i)))
            {
                i++;
                continue;
            }
            int start = i;
            while (i < count && IsUrlDigit(Unit(i))) i++;
            int digitsEnd = i;
            while (i < count && Unit(i) == '=' && i - digitsEnd < 2) i++;
            int end = i;
            // Scanning goes on right after the '=' (KEY=token: "KEY=" is a run, the token the next one), so a run next
            // to other base64 is passed over without swallowing what follows.
            bool alone = (start == 0 || !IsAnyBase64(Unit(start - 1))) && (end == count || !(IsAnyBase64(Unit(end)) || Unit(end) == '='));
            if (!alone || JoinedByDot(start, end, count)) continue;

            int length = end - start;
            if (length < MinTokenLength || length % 4 != 0 || length > FletTokenLimits.MaxTokenLength) continue;
            var chars = new char[length];
            for (int k = 0; k < length; k++) chars[k] = (char)Unit(start + k);
            FletAlgorithm algorithm;
            try
            {
                using ParsedToken parsed = Fernet.Parse(chars, algorithm: null);
                algorithm = parsed.Algorithm;
                if (algorithm == FletAlgorithm.AesGcm && !(LooksRandom(parsed.Buffer) && HasBothCases(chars))) continue;
            }
            catch (FletTokenException)
            {
                continue; // not a token's shape: left alone
            }
            for (; lineCountedTo < start; lineCountedTo++)
            {
                // "\n", "\r\n" and a lone "\r" (classic Mac OS, some generated files) each end a line, as editors count them.
                int unit = Unit(lineCountedTo);
                if (unit == '\n' || (unit == '\r' && (lineCountedTo + 1 == count || Unit(lineCountedTo + 1) != '\n'))) line++;
            }
            found.Add(new FletTokenMatch(start, length, line, new string(chars), algorithm));
        }
        return found;
    }

    /// <summary>
    /// Whether the salt and nonce (the first 48 bytes, drawn from the system's random generator by every maker of a
    /// GCM token) look random: 48 random bytes have about 44 distinct values, and fewer than 24 happens with a chance
    /// far below 2^-40. A placeholder ("AAAA...", "xxxx...") or another run of repeated text decodes to a few values.
    /// </summary>
    private static bool LooksRandom(byte[] decoded)
    {
        const int Count = Fernet.SaltSize + FletAesGcm.NonceSize, Fewest = 24;
        var seen = new bool[256];
        int distinct = 0;
        for (int i = 0; i < Count; i++)
        {
            if (!seen[decoded[i]])
            {
                seen[decoded[i]] = true;
                distinct++;
            }
        }
        return distinct >= Fewest;
    }

    /// <summary>
    /// Whether the text holds both upper and lower case letters, as the base64 of random bytes does: every byte of a GCM
    /// token (salt, nonce, ciphertext, tag) looks random, so its 86 or more characters all lack one case with a chance
    /// of 2 x (38/64)^86, about 2^-64. Hex (a SHA-512 digest, `openssl rand -hex 64`), lowercase ids and passphrases of
    /// words, which decode to enough distinct bytes to pass <see cref="LooksRandom"/>, have one case only.
    /// </summary>
    private static bool HasBothCases(char[] text)
    {
        bool upper = false, lower = false;
        foreach (char c in text)
        {
            upper |= c >= 'A' && c <= 'Z';
            lower |= c >= 'a' && c <= 'z';
            if (upper && lower) return true;
        }
        return false;
    }

    /// <summary>Whether the run is one part of a dotted chain of base64url runs (a JWT's header.payload.signature).</summary>
    private bool JoinedByDot(int start, int end, int count) =>
        (start >= 2 && Unit(start - 1) == '.' && IsUrlDigit(Unit(start - 2))) ||
        (end + 1 < count && Unit(end) == '.' && IsUrlDigit(Unit(end + 1)));

    /// <summary>
    /// The file's bytes with token i replaced by <paramref name="replacements"/>[i] (ASCII, written in the file's code
    /// units); every other byte as it was.
    /// </summary>
    public byte[] Replace(IReadOnlyList<string> replacements)
    {
        if (replacements is null) throw new ArgumentNullException(nameof(replacements));
        if (replacements.Count != Tokens.Count)
            throw new ArgumentException($"{Tokens.Count} token(s) in the file, {replacements.Count} replacement(s).", nameof(replacements));
        long size = _bytes.Length;
        for (int t = 0; t < Tokens.Count; t++) size += (long)(replacements[t].Length - Tokens[t].UnitLength) * _unit;
        var output = new byte[checked((int)size)];
        int read = 0, written = 0;
        for (int t = 0; t < Tokens.Count; t++)
        {
            int tokenAt = _start + Tokens[t].UnitIndex * _unit;
            Buffer.BlockCopy(_bytes, read, output, written, tokenAt - read);
            written += tokenAt - read;
            foreach (char c in replacements[t])
            {
                if (!IsUrlDigit(c) && c != '=')
                    throw new ArgumentException($"Replacement {t} is not base64url text.", nameof(replacements));
                for (int i = 0; i < _unit; i++) output[written + i] = (byte)(_bigEndian ? (i == _unit - 1 ? c : 0) : (i == 0 ? c : 0));
                written += _unit;
            }
            read = tokenAt + Tokens[t].UnitLength * _unit;
        }
        Buffer.BlockCopy(_bytes, read, output, written, _bytes.Length - read);
        return output;
    }
}
