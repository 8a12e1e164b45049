using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace FletSecret.HelpCompiler;

/// <summary>A document that breaks the platyPS schema: reported as 'file:line: message', like a compiler error.</summary>
internal sealed class DocumentException : Exception
{
    public DocumentException(string file, int line, string message) : base($"{file}:{line}: {message}") { }
}

internal static class Program
{
    private const int AboutWidth = 80; // New-ExternalHelp's default -MaxAboutWidth

    public static int Main(string[] args)
    {
        if (args.Length != 5 || args[1] != "--assembly" || args[3] is not ("--out" or "--json"))
        {
            Console.Error.WriteLine("usage: HelpCompiler <docs folder or .md file> --assembly <cmdlets .dll> (--out <help folder> | --json <model file>)");
            return 2;
        }
        var (docs, assembly, target) = (args[0], args[2], args[4]);
        try
        {
            var cmdlets = CmdletReader.Read(assembly);
            var files = Directory.Exists(docs) ? Directory.GetFiles(docs, "*.md").OrderBy(f => f, StringComparer.OrdinalIgnoreCase).ToArray() : new[] { docs };
            var pages = new List<CommandPage>();
            var abouts = new List<(string Name, string Text)>();
            foreach (var file in files.Select(Path.GetFullPath))
            {
                var name = Path.GetFileNameWithoutExtension(file);
                if (name.StartsWith("about_", StringComparison.OrdinalIgnoreCase)) abouts.Add((name, AboutWriter.Render(MarkdownFile.Read(file), AboutWidth)));
                else if (name.Contains('-')) pages.Add(CommandPage.Read(MarkdownFile.Read(file), cmdlets));
                // Any other page (the module page, FletSecret.md) is not help: New-ExternalHelp skips it too.
            }
            // Nothing is written until every page has been read: a refused page leaves no help behind.
            if (args[3] == "--json")
            {
                File.WriteAllText(target, JsonSerializer.Serialize(pages), new UTF8Encoding(false));
                return 0;
            }
            var helpFiles = pages.GroupBy(p => p.HelpFileName).ToList();
            Directory.CreateDirectory(target);
            foreach (var group in helpFiles) MamlWriter.Save(Path.Combine(target, group.Key), group);
            foreach (var (name, text) in abouts) File.WriteAllText(Path.Combine(target, name + ".help.txt"), text, new UTF8Encoding(true));
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
