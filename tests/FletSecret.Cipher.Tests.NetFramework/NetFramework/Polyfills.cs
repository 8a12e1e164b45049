using System;
using System.Collections.ObjectModel;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

// .NET Core APIs that the cipher tests call, for the .NET Framework test host only. Each is the plain definition of
// the API on the Framework's own primitives; none of them touches the library under test.

namespace System.Runtime.CompilerServices
{
    /// <summary>Lets records and init accessors compile for .NET Framework.</summary>
    internal static class IsExternalInit { }
}

namespace FletSecret.Cipher.Tests
{
    /// <summary>System.Buffers.SpanAction (.NET Core 2.1), for string.Create.</summary>
    internal delegate void SpanAction<T, in TArg>(Span<T> span, TArg arg);

    internal static class NetFrameworkPolyfills
    {
        [ThreadStatic] private static Random? _shared;

        extension(Random)
        {
            /// <summary>Random.Shared (.NET 6): one instance per thread, as System.Random is not thread-safe here.</summary>
            public static Random Shared => _shared ??= new Random(Guid.NewGuid().GetHashCode());
        }

        extension(SHA256)
        {
            public static byte[] HashData(byte[] data)
            {
                using var sha = SHA256.Create();
                return sha.ComputeHash(data);
            }

            public static byte[] HashData(ReadOnlySpan<byte> data) => HashData(data.ToArray());
        }

        extension(Rfc2898DeriveBytes)
        {
            /// <summary>
            /// Rfc2898DeriveBytes.Pbkdf2 (.NET 6): PBKDF2 as RFC 8018 defines it over the Framework's HMACSHA256.
            /// (The Framework's Rfc2898DeriveBytes refuses salts under 8 bytes, which the tests use.)
            /// </summary>
            public static byte[] Pbkdf2(byte[] password, byte[] salt, int iterations, HashAlgorithmName hash, int length)
            {
                if (hash != HashAlgorithmName.SHA256) throw new NotSupportedException("only SHA-256 is polyfilled");
                using var hmac = new HMACSHA256(password);
                var output = new byte[length];
                int blockSize = hmac.HashSize / 8;
                for (int block = 1, offset = 0; offset < length; block++, offset += blockSize)
                {
                    var first = new byte[salt.Length + 4];
                    Buffer.BlockCopy(salt, 0, first, 0, salt.Length);
                    first[salt.Length] = (byte)(block >> 24);
                    first[salt.Length + 1] = (byte)(block >> 16);
                    first[salt.Length + 2] = (byte)(block >> 8);
                    first[salt.Length + 3] = (byte)block;
                    byte[] u = hmac.ComputeHash(first);
                    byte[] t = (byte[])u.Clone();
                    for (int i = 1; i < iterations; i++)
                    {
                        u = hmac.ComputeHash(u);
                        for (int j = 0; j < t.Length; j++) t[j] ^= u[j];
                    }
                    Buffer.BlockCopy(t, 0, output, offset, Math.Min(blockSize, length - offset));
                }
                return output;
            }
        }

        extension(ProcessStartInfo info)
        {
            /// <summary>
            /// ProcessStartInfo.ArgumentList (.NET Core 2.1): here a list whose changes are written into Arguments,
            /// quoted by the Windows command-line rules that .NET Framework and Mono both parse.
            /// </summary>
            public Collection<string> ArgumentList => new ArgumentCollection(info);
        }

        extension(Process process)
        {
            public bool WaitForExit(TimeSpan timeout) => process.WaitForExit((int)timeout.TotalMilliseconds);

            /// <summary>Process.Kill(bool) (.NET Core 3.0); the tests start no grandchildren, so the process alone.</summary>
            public void Kill(bool entireProcessTree) => process.Kill();
        }

        extension(Convert)
        {
            public static byte[] FromHexString(string hex)
            {
                if (hex.Length % 2 != 0) throw new FormatException("odd hex length");
                var bytes = new byte[hex.Length / 2];
                for (int i = 0; i < bytes.Length; i++) bytes[i] = Convert.ToByte(hex.Substring(i * 2, 2), 16);
                return bytes;
            }

            public static string ToHexString(byte[] bytes) => BitConverter.ToString(bytes).Replace("-", "");

            public static bool TryToBase64Chars(ReadOnlySpan<byte> bytes, Span<char> chars, out int charsWritten)
            {
                string text = Convert.ToBase64String(bytes.ToArray());
                if (text.Length > chars.Length) { charsWritten = 0; return false; }
                text.AsSpan().CopyTo(chars);
                charsWritten = text.Length;
                return true;
            }
        }

        extension(string)
        {
            public static string Create<TState>(int length, TState state, SpanAction<char, TState> action)
            {
                var chars = new char[length];
                action(chars, state);
                return new string(chars);
            }
        }

        extension(Encoding)
        {
            public static Encoding Latin1 => Encoding.GetEncoding(28591);
        }

        extension(Array)
        {
            public static void Clear(Array array) => Array.Clear(array, 0, array.Length);

            public static void Fill<T>(T[] array, T value)
            {
                for (int i = 0; i < array.Length; i++) array[i] = value;
            }
        }

        extension(Random random)
        {
            /// <summary>Random.NextInt64 (.NET 6): a non-negative long, from 63 random bits.</summary>
            public long NextInt64()
            {
                var bytes = new byte[8];
                random.NextBytes(bytes);
                return (long)(BitConverter.ToUInt64(bytes, 0) >> 1);
            }

            public void NextBytes(Span<byte> buffer)
            {
                var bytes = new byte[buffer.Length];
                random.NextBytes(bytes);
                bytes.CopyTo(buffer);
            }
        }

        extension(SymmetricAlgorithm algorithm)
        {
            /// <summary>SymmetricAlgorithm.DecryptCbc (.NET 6) over the Framework's decryptor.</summary>
            public byte[] DecryptCbc(ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> iv, PaddingMode padding)
            {
                algorithm.Mode = CipherMode.CBC;
                algorithm.Padding = padding;
                using ICryptoTransform decryptor = algorithm.CreateDecryptor(algorithm.Key, iv.ToArray());
                byte[] input = ciphertext.ToArray();
                return decryptor.TransformFinalBlock(input, 0, input.Length);
            }
        }

        extension(HMACSHA256)
        {
            public static int HashData(byte[] key, ReadOnlySpan<byte> source, Span<byte> destination)
            {
                using var hmac = new HMACSHA256(key);
                byte[] mac = hmac.ComputeHash(source.ToArray());
                mac.CopyTo(destination);
                return mac.Length;
            }
        }

        extension(ProcessStartInfo info)
        {
            /// <summary>
            /// StandardInputEncoding (.NET Core 2.1) cannot be set on .NET Framework; the tests write ASCII JSON
            /// (System.Text.Json escapes the rest), which the Framework's and Mono's default stdin encoding write alike.
            /// </summary>
            public Encoding? StandardInputEncoding
            {
                get => null;
                set { }
            }
        }

        extension(string text)
        {
            public bool Contains(char value) => text.IndexOf(value) >= 0;

            public bool Contains(string value, StringComparison comparison) => text.IndexOf(value, comparison) >= 0;

            public string Replace(string oldValue, string newValue, StringComparison comparison)
            {
                if (comparison != StringComparison.Ordinal) throw new NotSupportedException("only ordinal Replace is polyfilled");
                return text.Replace(oldValue, newValue);
            }
        }

        private sealed class ArgumentCollection : Collection<string>
        {
            private readonly ProcessStartInfo _info;

            public ArgumentCollection(ProcessStartInfo info) => _info = info;

            protected override void InsertItem(int index, string item)
            {
                base.InsertItem(index, item);
                var line = new StringBuilder();
                foreach (string argument in this)
                {
                    if (line.Length > 0) line.Append(' ');
                    AppendQuoted(line, argument);
                }
                _info.Arguments = line.ToString();
            }

            // The rules of CommandLineToArgvW: backslashes are literal unless they precede a quote.
            private static void AppendQuoted(StringBuilder line, string argument)
            {
                if (argument.Length > 0 && argument.IndexOfAny(new[] { ' ', '\t', '"' }) < 0)
                {
                    line.Append(argument);
                    return;
                }
                line.Append('"');
                int backslashes = 0;
                foreach (char c in argument)
                {
                    if (c == '\\') { backslashes++; continue; }
                    if (c == '"') line.Append('\\', backslashes * 2 + 1);
                    else line.Append('\\', backslashes);
                    backslashes = 0;
                    line.Append(c);
                }
                line.Append('\\', backslashes * 2).Append('"');
            }
        }
    }
}
