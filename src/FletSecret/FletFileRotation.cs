namespace FletSecret;

/// <summary>What Update-FletString -PassThru says about one file: where it is and how many of its tokens were rotated.</summary>
public sealed class FletFileRotation
{
    internal FletFileRotation(string path, int tokensFound, int tokensRotated, string encoding)
    {
        Path = path;
        TokensFound = tokensFound;
        TokensRotated = tokensRotated;
        Encoding = encoding;
    }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    /// <summary>How many Flet tokens the file holds.</summary>
    public int TokensFound { get; }

    /// <summary>How many were rotated: all of them, or none when one failed (the file is then unchanged).</summary>
    public int TokensRotated { get; }

    /// <summary>How the file was read: UTF-8 (BOM), UTF-16LE, UTF-16BE, UTF-32LE, UTF-32BE or ASCII-compatible.</summary>
    public string Encoding { get; }
}
