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

    /// <summary>Runs at every Import-Module, in any runspace; the handler is process-wide, so it is added once.</summary>
    public void OnImport()
    {
        if (Interlocked.Exchange(ref s_registered, 1) == 0)
            AppDomain.CurrentDomain.AssemblyResolve += OnAssemblyResolve;
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
