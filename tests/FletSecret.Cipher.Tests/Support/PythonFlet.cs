using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Xunit;

namespace FletSecret.Cipher.Tests;

/// <summary>
/// Runs Python/flet_interop.py (Flet's encrypt/decrypt over the real cryptography package) with python3 (python on Windows).
/// Secrets and plaintexts go through stdin as JSON, never on the command line.
/// </summary>
internal static class PythonFlet
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    public static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "Python", "flet_interop.py");

    private static readonly Lazy<string?> UnavailableReason = new(Probe);

    /// <summary>Null when python3 and cryptography work; otherwise why not.</summary>
    public static string? Unavailable => UnavailableReason.Value;

    public static string CryptographyVersion { get; private set; } = "?";

    /// <summary>The python that runs the script: python3, or python where that is Windows' name for it.</summary>
    private static string s_command = "python3";

    private static string? Probe()
    {
        string? reason = null;
        string[] candidates = Path.DirectorySeparatorChar == '\\' ? new[] { "python", "python3" } : new[] { "python3", "python" };
        foreach (string candidate in candidates)
        {
            s_command = candidate;
            try
            {
                JsonObject response = Run(new JsonObject { ["op"] = "probe" });
                CryptographyVersion = (string?)response["cryptography"] ?? "?";
                return null;
            }
            catch (Exception e) when (e is Win32Exception or InvalidOperationException or IOException or JsonException or TimeoutException)
            {
                reason = (reason is null ? "" : reason + "; ") + candidate + ": " + e.Message;
            }
        }
        return reason;
    }

    public sealed record Result(bool Ok, string? Value, string? Error);

    public static JsonObject Encrypt(string plaintext, string secret, int iterations, FletAlgorithm algorithm = FletAlgorithm.Fernet) => new()
    {
        ["op"] = "encrypt", ["plaintext"] = plaintext, ["secret"] = secret, ["iterations"] = iterations, ["algorithm"] = algorithm.ToString(),
    };

    public static JsonObject Decrypt(string token, string secret, int iterations, FletAlgorithm algorithm = FletAlgorithm.Fernet) => new()
    {
        ["op"] = "decrypt", ["token"] = token, ["secret"] = secret, ["iterations"] = iterations, ["algorithm"] = algorithm.ToString(),
    };

    public static JsonObject B64Decode(string text) => new() { ["op"] = "b64decode", ["text"] = text };

    /// <summary>Runs the items in one python process and returns one result per item.</summary>
    public static IReadOnlyList<Result> Batch(IEnumerable<JsonObject> items)
    {
        var array = new JsonArray(items.Cast<JsonNode>().ToArray());
        JsonObject response = Run(new JsonObject { ["op"] = "batch", ["items"] = array });
        JsonArray results = response["results"]?.AsArray() ?? throw new InvalidOperationException("python gave no results");
        return results.Select(r => new Result((bool?)r!["ok"] ?? false, (string?)r["value"], (string?)r["error"])).ToList();
    }

    private static JsonObject Run(JsonObject request)
    {
        if (!File.Exists(ScriptPath)) throw new IOException("the interop script is missing: " + ScriptPath);
        var info = new ProcessStartInfo(s_command)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(ScriptPath);
        info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";

        using var process = Process.Start(info) ?? throw new InvalidOperationException(s_command + " did not start");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(request.ToJsonString());
        process.StandardInput.Close();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{s_command} took more than {Timeout}");
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{s_command} exited with {process.ExitCode}: {stderr.Result.Trim()}");
        JsonNode? node = JsonNode.Parse(stdout.Result);
        if (node is not JsonObject obj || (bool?)obj["ok"] != true)
            throw new InvalidOperationException(s_command + " gave an unexpected answer: " + stdout.Result);
        return obj;
    }
}

/// <summary>A fact that is reported skipped, with the reason, when python3 with cryptography is not available.</summary>
public sealed class PythonFactAttribute : FactAttribute
{
    public PythonFactAttribute()
    {
        if (PythonFlet.Unavailable is string reason)
            Skip = "python3 with the cryptography package is not available: " + reason;
    }
}
