using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace FletSecret.Loader;

/// <summary>The module's private load context: the assemblies beside this one load here, everything else from the default.</summary>
public sealed class LoadContext : AssemblyLoadContext
{
    private static readonly object Gate = new();
    private static LoadContext? _instance;
    private readonly string _directory;

    private LoadContext(string directory)
        : base("FletSecret", isCollectible: false)
    {
        _directory = directory;
    }

    /// <summary>Loads (once per process) and returns the cmdlet assembly, FletSecret.dll, in the module's context.</summary>
    public static Assembly Initialize()
    {
        lock (Gate)
        {
            _instance ??= new LoadContext(Path.GetDirectoryName(typeof(LoadContext).Assembly.Location)!);
            return _instance.LoadFromAssemblyName(new AssemblyName("FletSecret"));
        }
    }

    /// <inheritdoc />
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // Only what the module ships lives here. PowerShell itself (System.Management.Automation) and the framework
        // are not shipped, so they resolve from the default context and the cmdlets share PowerShell's types.
        string path = Path.Combine(_directory, assemblyName.Name + ".dll");
        if (assemblyName.Name == typeof(LoadContext).Assembly.GetName().Name || !File.Exists(path)) return null;
        return LoadFromAssemblyPath(path);
    }
}
