using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;

namespace FletSecret.HelpCompiler;

internal sealed record CmdletParameter(string Name, List<string> Sets, bool InAllSets);

// A cmdlet as its assembly declares it: its name, the names of its parameter sets, its own parameters.
internal sealed record CmdletInfo(string Name, List<string> SetNames, Dictionary<string, CmdletParameter> Parameters);

// The cmdlets of the built assembly. They come from the assembly rather than from the SYNTAX blocks of the docs: those
// are written by the same hand as the rest of the page, so a parameter renamed or removed in the code but not in the
// docs would still agree with itself there; the assembly is what Get-Help is shown against. A MetadataLoadContext
// reads the attributes without running the module (its cipher loader, its host check), against PowerShell's reference
// assembly, so the tool needs no PowerShell of its own.
internal static class CmdletReader
{
    private const string AllParameterSets = "__AllParameterSets";

    public static IReadOnlyDictionary<string, CmdletInfo> Read(string assemblyPath)
    {
        var full = Path.GetFullPath(assemblyPath);
        if (!File.Exists(full)) throw new FileNotFoundException($"No assembly at {full}: build the module first (./build.ps1 -Task Build).");
        // The assembly and its folder (and below: its dependencies), PowerShell's reference assembly that comes with
        // this tool, then the runtime's; one file per assembly name.
        var paths = new[] { full }.Concat(Directory.GetFiles(Path.GetDirectoryName(full)!, "*.dll", SearchOption.AllDirectories))
            .Append(Path.Combine(AppContext.BaseDirectory, "System.Management.Automation.dll"))
            .Concat(Directory.GetFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll"))
            .DistinctBy(p => Path.GetFileName(p).ToUpperInvariant());
        using var context = new MetadataLoadContext(new PathAssemblyResolver(paths));
        var cmdlets = new Dictionary<string, CmdletInfo>();
        foreach (var type in context.LoadFromAssemblyPath(full).GetExportedTypes().Where(t => !t.IsAbstract))
        {
            if (Find(type.GetCustomAttributesData(), "CmdletAttribute").FirstOrDefault() is not { } cmdlet) continue;
            var name = $"{cmdlet.ConstructorArguments[0].Value}-{cmdlet.ConstructorArguments[1].Value}";
            var sets = new List<string>();
            if (Named(cmdlet, "DefaultParameterSetName") is string defaultSet) sets.Add(defaultSet);
            var parameters = new Dictionary<string, CmdletParameter>();
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var declared = Find(property.GetCustomAttributesData(), "ParameterAttribute").Select(a => Named(a, "ParameterSetName") as string ?? AllParameterSets).ToList();
                if (declared.Count == 0) continue;
                var named = declared.Where(s => s != AllParameterSets).Distinct().ToList();
                sets.AddRange(named.Except(sets).ToList());
                parameters[property.Name] = new CmdletParameter(property.Name, named, declared.Contains(AllParameterSets));
            }
            // PowerShell adds -WhatIf and -Confirm, in every set, to a cmdlet that supports ShouldProcess; platyPS
            // documents them like the cmdlet's own.
            if (Named(cmdlet, "SupportsShouldProcess") is true)
            {
                foreach (var optional in new[] { "WhatIf", "Confirm" }) parameters[optional] = new CmdletParameter(optional, new List<string>(), true);
            }
            cmdlets[name] = new CmdletInfo(name, sets, parameters);
        }
        return cmdlets;
    }

    private static IEnumerable<CustomAttributeData> Find(IEnumerable<CustomAttributeData> attributes, string name) =>
        attributes.Where(a => a.AttributeType.FullName == "System.Management.Automation." + name);

    private static object? Named(CustomAttributeData attribute, string name) =>
        attribute.NamedArguments.Where(a => a.MemberName == name).Select(a => a.TypedValue.Value).FirstOrDefault();
}
