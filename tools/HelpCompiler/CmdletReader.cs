using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;

namespace FletSecret.HelpCompiler;

internal sealed record CmdletParameter(string Name, List<string> Sets, bool InAllSets);

/// <summary>A cmdlet as its assembly declares it: name, parameter set names and own parameters.</summary>
internal sealed record CmdletInfo(string Name, List<string> SetNames, Dictionary<string, CmdletParameter> Parameters);

/// <summary>
/// Reads the cmdlets of the built assembly without loading it. The parameters come from the assembly rather than from
/// the SYNTAX blocks of the docs: those are written by the same hand as the rest of the page, so a parameter renamed
/// or removed in the code and not in the docs would agree with itself there; the assembly is what Get-Help runs against.
/// A MetadataLoadContext reads the attributes without running the module (its cipher loader, its PowerShell version
/// check) and against the PowerShell reference assembly, so any PowerShell edition's build can be read.
/// </summary>
internal static class CmdletReader
{
    private const string Automation = "System.Management.Automation.";
    private const string AllParameterSets = "__AllParameterSets";

    public static IReadOnlyDictionary<string, CmdletInfo> Read(string assemblyPath)
    {
        var full = Path.GetFullPath(assemblyPath);
        if (!File.Exists(full)) throw new IOException($"No assembly at {full}: build the module first (./build.ps1 -Task Build).");
        // The assembly's own folder (and below, for its dependencies) first, then PowerShell's reference assembly
        // shipped next to this tool, then the runtime's; one file per assembly name.
        var paths = new[] { full }
            .Concat(Directory.GetFiles(Path.GetDirectoryName(full)!, "*.dll", SearchOption.AllDirectories))
            .Append(Path.Combine(AppContext.BaseDirectory, "System.Management.Automation.dll"))
            .Concat(Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll"))
            .GroupBy(p => Path.GetFileName(p), StringComparer.OrdinalIgnoreCase)
            .Select(g => g.First());
        using var context = new MetadataLoadContext(new PathAssemblyResolver(paths));
        var cmdlets = new Dictionary<string, CmdletInfo>(StringComparer.Ordinal);
        foreach (var type in context.LoadFromAssemblyPath(full).GetExportedTypes())
        {
            var attribute = Find(type.GetCustomAttributesData(), "CmdletAttribute").FirstOrDefault();
            if (attribute is null || type.IsAbstract) continue;
            var name = $"{attribute.ConstructorArguments[0].Value}-{attribute.ConstructorArguments[1].Value}";
            var sets = new List<string>();
            if (Named(attribute, "DefaultParameterSetName") is string defaultSet) sets.Add(defaultSet);
            var parameters = new Dictionary<string, CmdletParameter>(StringComparer.Ordinal);
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var declared = property.GetCustomAttributesData();
                var parameterSets = Find(declared, "ParameterAttribute").Select(a => Named(a, "ParameterSetName") as string ?? AllParameterSets).ToList();
                if (parameterSets.Count == 0) continue;
                var named = parameterSets.Where(s => s != AllParameterSets).Distinct().ToList();
                sets.AddRange(named.Where(s => !sets.Contains(s)));
                parameters[property.Name] = new CmdletParameter(property.Name, named, parameterSets.Contains(AllParameterSets));
            }
            cmdlets[name] = new CmdletInfo(name, sets, parameters);
        }
        return cmdlets;
    }

    private static IEnumerable<CustomAttributeData> Find(IEnumerable<CustomAttributeData> attributes, string name) =>
        attributes.Where(a => a.AttributeType.FullName == Automation + name);

    private static object? Named(CustomAttributeData attribute, string name) =>
        attribute.NamedArguments.Where(a => a.MemberName == name).Select(a => a.TypedValue.Value).FirstOrDefault();
}
