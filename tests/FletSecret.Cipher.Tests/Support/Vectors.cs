using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace FletSecret.Cipher.Tests;

/// <summary>The vector files copied into this test project (Vectors/), read from the output directory.</summary>
internal static class Vectors
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static string PathOf(params string[] parts) =>
        Path.Combine(AppContext.BaseDirectory, "Vectors", Path.Combine(parts));

    private static T Load<T>(params string[] parts) =>
        JsonSerializer.Deserialize<T>(File.ReadAllText(PathOf(parts)), Options)
        ?? throw new InvalidDataException("empty vector file " + PathOf(parts));

    public static readonly Lazy<IReadOnlyList<FletVector>> Flet =
        new(() => Load<FletVectorFile>("flet", "vectors.json").Cases);

    public static readonly Lazy<IReadOnlyList<FletGcmVector>> FletGcm =
        new(() => Load<FletGcmVectorFile>("flet-aes-gcm", "vectors.json").Cases);

    public static readonly Lazy<IReadOnlyList<GcmCase>> Gcm = new(() => Load<GcmCaseFile>("aes-gcm", "vectors.json").Cases);

    public static readonly Lazy<IReadOnlyList<FernetCase>> FernetGenerate = new(() => Load<List<FernetCase>>("fernet-spec", "generate.json"));
    public static readonly Lazy<IReadOnlyList<FernetCase>> FernetVerify = new(() => Load<List<FernetCase>>("fernet-spec", "verify.json"));
    public static readonly Lazy<IReadOnlyList<FernetCase>> FernetInvalid = new(() => Load<List<FernetCase>>("fernet-spec", "invalid.json"));
}

internal sealed class FletVectorFile
{
    public string About { get; set; } = "";
    public List<FletVector> Cases { get; set; } = new();
}

internal sealed class FletVector
{
    public string Secret { get; set; } = "";
    public string Plaintext { get; set; } = "";
    public int Iterations { get; set; }
    public string Salt { get; set; } = "";
    public string Iv { get; set; } = "";
    public long Timestamp { get; set; }
    public string FernetKey { get; set; } = "";
    public string Token { get; set; } = "";

    public override string ToString() => $"{Iterations} iterations, plaintext of {Plaintext.Length} chars";
}

internal sealed class FernetCase
{
    public string Desc { get; set; } = "";
    public string Token { get; set; } = "";
    public DateTimeOffset Now { get; set; }
    public int[] Iv { get; set; } = Array.Empty<int>();
    public string Src { get; set; } = "";
    public int TtlSec { get; set; }
    public string Secret { get; set; } = "";
}

internal sealed class FletGcmVectorFile
{
    public List<FletGcmVector> Cases { get; set; } = new();
}

internal sealed class FletGcmVector
{
    public string Secret { get; set; } = "";
    public string Plaintext { get; set; } = "";
    public int Iterations { get; set; }
    public string Salt { get; set; } = "";
    public string Nonce { get; set; } = "";
    public string FernetKey { get; set; } = "";
    public string AesKeyAscii { get; set; } = "";
    public string Token { get; set; } = "";

    public override string ToString() => $"{Iterations} iterations, plaintext of {Plaintext.Length} chars";
}

internal sealed class GcmCaseFile
{
    public List<GcmCase> Cases { get; set; } = new();
}

internal sealed class GcmCase
{
    public string Key { get; set; } = "";
    public string Nonce { get; set; } = "";
    public string Aad { get; set; } = "";
    public string Plaintext { get; set; } = "";
    public string Ciphertext { get; set; } = "";
    public string Tag { get; set; } = "";

    public override string ToString() => $"key {Key.Length / 2}, nonce {Nonce.Length / 2}, aad {Aad.Length / 2}, text {Plaintext.Length / 2} bytes";
}
