using System;
using System.Reflection;
using System.Runtime.Versioning;

namespace FletSecret.Cipher.Tests;

/// <summary>Which build of FletSecret.Cipher these tests run against (the two test projects compile the same files).</summary>
internal static class LibraryBuild
{
    /// <summary>The library assembly's TargetFrameworkAttribute, e.g. ".NETStandard,Version=v2.0".</summary>
    public static string TargetFramework =>
        typeof(FletKey).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName ?? "(no TargetFrameworkAttribute)";

    public static bool IsNetStandard => TargetFramework.StartsWith(".NETStandard", StringComparison.Ordinal);

    /// <summary>The build this test project was meant to reference.</summary>
    public static string Expected =>
#if LIBRARY_NETSTANDARD
        ".NETStandard,Version=v2.0";
#else
        ".NETCoreApp,Version=v8.0";
#endif
}
