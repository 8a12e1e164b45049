using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace FletSecret.HelpCompiler;

/// <summary>The MAML of a help file, element for element as platyPS 0.14's MamlRenderer writes it.</summary>
internal static class MamlWriter
{
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    public static void Save(string path, IEnumerable<CommandPage> pages)
    {
        // "\n" on every platform: CI tests the package built on Linux against a compile on Windows and macOS.
        var settings = new XmlWriterSettings { Indent = true, IndentChars = "  ", Encoding = new UTF8Encoding(true), NewLineChars = "\n", NewLineHandling = NewLineHandling.Replace };
        using var writer = XmlWriter.Create(path, settings);
        new XDocument(new XElement(XName.Get("helpItems", "http://msh"), new XAttribute("schema", "maml"), pages.Select(CommandElement))).Save(writer);
    }

    private static XElement CommandElement(CommandPage page)
    {
        var dash = page.Name.IndexOf('-');
        // The front matter's 'online version' is the first link, as platyPS makes it.
        var links = page.RelatedLinks.ToList();
        if (page.Metadata.TryGetValue("online version", out var online) && online.Length > 0 && (links.Count == 0 || links[0].Uri != online))
        {
            links.Insert(0, new RelatedLink("Online Version:", online));
        }
        return new XElement(Command + "command",
            new XAttribute(XNamespace.Xmlns + "maml", Maml), new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev), new XAttribute(XNamespace.Xmlns + "MSHelp", "http://msdn.microsoft.com/mshelp"),
            new XElement(Command + "details",
                new XElement(Command + "name", page.Name),
                new XElement(Command + "verb", page.Name.Substring(0, dash)),
                new XElement(Command + "noun", page.Name.Substring(dash + 1)),
                Description(page.Synopsis)),
            Description(page.Description),
            new XElement(Command + "syntax", SyntaxItems(page).Select(item => new XElement(Command + "syntaxItem",
                new XElement(Maml + "name", page.Name),
                item.Select(m => Parameter(m.Parameter, m.Entry, inSyntax: true))))),
            new XElement(Command + "parameters", page.Parameters.Select(p => Parameter(p, p.Entries[0], inSyntax: false))),
            new XElement(Command + "inputTypes", page.Inputs.Select(t => TypeElement("inputType", t))),
            new XElement(Command + "returnValues", page.Outputs.Select(t => TypeElement("returnValue", t))),
            new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paragraphs(page.Notes))),
            new XElement(Command + "examples", page.Examples.Select(e => new XElement(Command + "example",
                new XElement(Maml + "title", ExampleTitle(e.Title)),
                new XElement(Dev + "code", e.Code),
                new XElement(Dev + "remarks", Paragraphs(e.Remarks))))),
            new XElement(Command + "relatedLinks", links.Select(l => new XElement(Maml + "navigationLink",
                new XElement(Maml + "linkText", l.Text),
                // A link to another page (Other-Cmdlet.md) keeps its text and gets no uri, as in platyPS.
                new XElement(Maml + "uri", Uri.TryCreate(l.Uri, UriKind.Absolute, out _) ? l.Uri : "")))));
    }

    // One syntax item per parameter set, in the order the sets first appear in the yaml, each with the parameters in
    // that set (or in all sets), positional ones first: a stable sort on the Position text, as platyPS does.
    private static IEnumerable<List<(DocParameter Parameter, ParameterEntry Entry)>> SyntaxItems(CommandPage page)
    {
        var setNames = page.Parameters.SelectMany(p => p.Entries).SelectMany(e => e.ParameterSets).Distinct().ToList();
        if (setNames.Count == 0) return new[] { new List<(DocParameter, ParameterEntry)>() };
        var named = setNames.Where(s => s != CommandPage.AllSets).DefaultIfEmpty(CommandPage.AllSets);
        return named.Select(set => page.Parameters
            .Select(p => (Parameter: p, Entry: p.Entries.LastOrDefault(e => e.ParameterSets.Contains(set))
                ?? (p.Entries is [{ ParameterSets: [CommandPage.AllSets] } only] ? only : null)))
            .Where(m => m.Entry is not null)
            .Select(m => (m.Parameter, m.Entry!))
            .OrderBy(m => m.Item2.Position, StringComparer.Ordinal)
            .ToList());
    }

    private static XElement Parameter(DocParameter parameter, ParameterEntry entry, bool inSyntax)
    {
        var type = entry.Type is null ? "" : entry.IsSwitch ? "SwitchParameter" : entry.Type;
        var defaultValue = entry.IsSwitch && entry.DefaultValue is null or "" or "None" ? "False" : entry.DefaultValue ?? "None";
        return new XElement(Command + "parameter",
            new XAttribute("required", entry.Required ? "true" : "false"),
            new XAttribute("variableLength", "true"),
            new XAttribute("globbing", entry.Globbing ? "true" : "false"),
            new XAttribute("pipelineInput", entry.PipelineInput),
            new XAttribute("position", entry.Position.ToLowerInvariant()),
            new XAttribute("aliases", entry.Aliases.Count > 0 ? string.Join(", ", entry.Aliases) : "none"),
            new XElement(Maml + "name", parameter.Name),
            Description(parameter.Description),
            inSyntax && entry.AcceptedValues.Count > 0
                ? new XElement(Command + "parameterValueGroup", entry.AcceptedValues.Select(v => new XElement(Command + "parameterValue",
                    new XAttribute("required", "false"), new XAttribute(Command + "variableLength", "false"), v)))
                : null,
            // Inside syntax a switch gets no parameterValue, so Get-Help shows [-Name] rather than [-Name <SwitchParameter>].
            inSyntax && entry.IsSwitch
                ? null
                : new XElement(Command + "parameterValue", new XAttribute("required", entry.IsSwitch ? "false" : "true"), new XAttribute("variableLength", "false"), type),
            new XElement(Dev + "type", new XElement(Maml + "name", type), new XElement(Maml + "uri")),
            new XElement(Dev + "defaultValue", defaultValue));
    }

    private static XElement TypeElement(string name, TypeEntry entry) =>
        new(Command + name, new XElement(Dev + "type", new XElement(Maml + "name", entry.TypeName)), Description(entry.Description));

    // A short title is centred in dashes, 64 characters wide.
    private static string ExampleTitle(string title) => string.IsNullOrWhiteSpace(title) || title.Length >= 62 ? title
        : new string('-', (62 - title.Length) / 2) + " " + title + " " + new string('-', (62 - title.Length) / 2);

    private static XElement Description(string text) => new(Maml + "description", Paragraphs(text));

    // One maml:para per "\n"-separated paragraph; an empty one is written <maml:para></maml:para>, as platyPS does.
    private static IEnumerable<XElement> Paragraphs(string text) => text.Split('\n').Select(p => new XElement(Maml + "para", p));
}
