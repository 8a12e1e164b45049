using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Threading;

namespace FletSecret;

/// <summary>
/// Loads the cipher build for the runtime at hand. Both builds sit in bin/&lt;framework&gt; beside this assembly, where
/// no probing finds them, so the first use of a cipher type raises AssemblyResolve: bin/net8.0 on .NET 8 and later
/// (PowerShell 7.4+: the platform PBKDF2 and the SIMD engine), bin/netstandard2.0 elsewhere (Windows PowerShell 5.1).
/// </summary>
public sealed class CipherLoader : IModuleAssemblyInitializer
{
    internal const string CipherAssemblyName = "FletSecret.Module.Cipher";

    private static int s_registered;
    private static readonly Lazy<Assembly?> s_cipher = new(LoadCipher, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The bin folder of the cipher build this process uses.</summary>
    internal static string CipherFramework => Environment.Version.Major >= 8 ? "net8.0" : "netstandard2.0";

    /// <summary>
    /// Runs at every Import-Module, in any runspace; the handler is process-wide, so it is added once. On PowerShell
    /// 6.0 to 7.3 it stops the import with what is needed: the manifest, shared with Windows PowerShell 5.1, can only
    /// say 5.1 (5.1's restricted manifest language has no $PSEdition to tell the editions apart).
    /// </summary>
    public void OnImport()
    {
        string? unsupported = UnsupportedHostMessage(HostVersion ?? typeof(PSObject).Assembly.GetName().Version);
        if (unsupported is not null) throw new PSNotSupportedException(unsupported);
        if (Interlocked.Exchange(ref s_registered, 1) == 0)
            AppDomain.CurrentDomain.AssemblyResolve += OnAssemblyResolve;
    }

    /// <summary>The PowerShell version to check instead of the running one: set only by the tests, before an import.</summary>
    internal static Version? HostVersion { get; set; }

    /// <summary>
    /// Why this PowerShell cannot run the module, or null. The version is System.Management.Automation's: 3.0 on
    /// Windows PowerShell 5.1, the product version (7.4, 7.5...) on PowerShell 6 and later.
    /// </summary>
    internal static string? UnsupportedHostMessage(Version powerShell)
    {
        if (powerShell.Major < 6 || powerShell >= new Version(7, 4)) return null;
        return $"FletSecret needs PowerShell 7.4 or later, or Windows PowerShell 5.1; this is PowerShell {powerShell.Major}.{powerShell.Minor}, " +
            "which is out of support and on which FletSecret is neither built nor tested. Install PowerShell 7.4 or later " +
            "(or use Windows PowerShell 5.1 on Windows), then import FletSecret again.";
    }

    private static Assembly? OnAssemblyResolve(object? sender, ResolveEventArgs args)
    {
        // Every failed load in the process comes here: the ordinal prefix test keeps that cheap.
        if (args.Name is null || !args.Name.StartsWith(CipherAssemblyName, StringComparison.Ordinal)) return null;
        return new AssemblyName(args.Name).Name == CipherAssemblyName ? s_cipher.Value : null;
    }

    private static Assembly? LoadCipher()
    {
        string folder = Path.GetDirectoryName(typeof(CipherLoader).Assembly.Location) ?? ".";
        string path = Path.Combine(folder, "bin", CipherFramework, CipherAssemblyName + ".dll");
        // A missing file leaves the runtime's own FileNotFoundException, which names the assembly.
        return File.Exists(path) ? Assembly.LoadFrom(path) : null;
    }
}
