using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace FletSecret.HelpCompiler;

/// <summary>A document that breaks the platyPS schema: reported as 'file:line: message', like a compiler.</summary>
internal sealed class DocumentException : Exception
{
    public DocumentException(string file, int line, string message) : base($"{file}:{line}: {message}") { }
}

internal static class Program
{
    private const string Usage =
        "usage: HelpCompiler <docs folder or .md file> --assembly <cmdlets .dll> (--out <folder> | --json <file>) [--about-width <n>]";

    public static int Main(string[] args)
    {
        string? docs = null, assembly = null, output = null, json = null;
        var aboutWidth = 80;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--assembly": assembly = value; i++; break;
                case "--out": output = value; i++; break;
                case "--json": json = value; i++; break;
                case "--about-width" when int.TryParse(value, out aboutWidth) && aboutWidth >= 80: i++; break;
                default:
                    if (docs is null && !args[i].StartsWith("--", StringComparison.Ordinal)) { docs = args[i]; break; }
                    Console.Error.WriteLine($"Unexpected argument '{args[i]}'.\n{Usage}");
                    return 2;
            }
        }
        if (docs is null || assembly is null || (output is null) == (json is null))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        try
        {
            var cmdlets = CmdletReader.Read(assembly);
            var files = Directory.Exists(docs)
                ? Directory.GetFiles(docs, "*.md").OrderBy(f => f, StringComparer.OrdinalIgnoreCase).ToArray()
                : new[] { docs };
            var pages = new List<CommandPage>();
            var abouts = new List<(string Name, string Text)>();
            foreach (var file in files.Select(Path.GetFullPath))
            {
                var name = Path.GetFileNameWithoutExtension(file);
                if (name.StartsWith("about_", StringComparison.OrdinalIgnoreCase))
                {
                    abouts.Add((name, AboutWriter.Render(MarkdownFile.Read(file), aboutWidth)));
                }
                else if (name.Contains('-'))
                {
                    pages.Add(CommandPage.Read(MarkdownFile.Read(file), cmdlets));
                }
                // Any other page (the module page, FletSecret.md) is not help: New-ExternalHelp skips it too.
            }

            if (json is not null)
            {
                File.WriteAllText(json, JsonSerializer.Serialize(pages), new UTF8Encoding(false));
                return 0;
            }
            Directory.CreateDirectory(output!);
            foreach (var group in pages.GroupBy(p => p.HelpFileName))
            {
                MamlWriter.Save(Path.Combine(output!, group.Key), group);
            }
            foreach (var (name, text) in abouts)
            {
                File.WriteAllText(Path.Combine(output!, name + ".help.txt"), text, new UTF8Encoding(true));
            }
            return 0;
        }
        catch (DocumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or BadImageFormatException)
        {
            Console.Error.WriteLine($"HelpCompiler: {e.Message}");
            return 1;
        }
    }
}
