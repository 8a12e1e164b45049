using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Xml;

namespace FletSecret.HelpCompiler;

/// <summary>The MAML of a help file, element for element as platyPS 0.14's MamlRenderer writes it.</summary>
internal static class MamlWriter
{
    private const string Maml = "http://schemas.microsoft.com/maml/2004/10";
    private const string Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private const string Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
    private const string MsHelp = "http://msdn.microsoft.com/mshelp";
    private const string XmlNs = "http://www.w3.org/2000/xmlns/";

    public static void Save(string path, IEnumerable<CommandPage> pages)
    {
        var settings = new XmlWriterSettings
        {
            Indent = true, IndentChars = "  ", Encoding = new UTF8Encoding(true),
            NewLineChars = Environment.NewLine, NewLineHandling = NewLineHandling.Replace,
        };
        using var writer = XmlWriter.Create(path, settings);
        writer.WriteStartDocument();
        writer.WriteStartElement("helpItems", "http://msh");
        writer.WriteAttributeString("schema", "maml");
        foreach (var page in pages) WriteCommand(writer, page);
        writer.WriteEndElement();
        writer.WriteEndDocument();
    }

    private static void WriteCommand(XmlWriter w, CommandPage page)
    {
        w.WriteStartElement("command", "command", Command);
        w.WriteAttributeString("xmlns", "maml", XmlNs, Maml);
        w.WriteAttributeString("xmlns", "command", XmlNs, Command);
        w.WriteAttributeString("xmlns", "dev", XmlNs, Dev);
        w.WriteAttributeString("xmlns", "MSHelp", XmlNs, MsHelp);

        var dash = page.Name.IndexOf('-');
        w.WriteStartElement("command", "details", Command);
        w.WriteElementString("name", Command, page.Name);
        w.WriteElementString("verb", Command, page.Name.Substring(0, dash));
        w.WriteElementString("noun", Command, page.Name.Substring(dash + 1));
        WriteDescription(w, page.Synopsis);
        w.WriteEndElement();
        WriteDescription(w, page.Description);

        w.WriteStartElement("command", "syntax", Command);
        foreach (var item in SyntaxItems(page))
        {
            w.WriteStartElement("command", "syntaxItem", Command);
            w.WriteElementString("name", Maml, page.Name);
            foreach (var (parameter, entry) in item) WriteParameter(w, parameter, entry, inSyntax: true);
            w.WriteEndElement();
        }
        w.WriteEndElement();

        w.WriteStartElement("command", "parameters", Command);
        foreach (var parameter in page.Parameters) WriteParameter(w, parameter, parameter.Entries[0], inSyntax: false);
        w.WriteEndElement();

        foreach (var (list, element, entries) in new[] { ("inputTypes", "inputType", page.Inputs), ("returnValues", "returnValue", page.Outputs) })
        {
            w.WriteStartElement("command", list, Command);
            foreach (var entry in entries)
            {
                w.WriteStartElement("command", element, Command);
                w.WriteStartElement("dev", "type", Dev);
                w.WriteElementString("name", Maml, entry.TypeName);
                w.WriteEndElement();
                WriteDescription(w, entry.Description);
                w.WriteEndElement();
            }
            w.WriteEndElement();
        }

        w.WriteStartElement("maml", "alertSet", Maml);
        w.WriteStartElement("maml", "alert", Maml);
        WriteParagraphs(w, page.Notes);
        w.WriteEndElement();
        w.WriteEndElement();

        w.WriteStartElement("command", "examples", Command);
        foreach (var example in page.Examples)
        {
            w.WriteStartElement("command", "example", Command);
            w.WriteElementString("title", Maml, ExampleTitle(example.Title));
            w.WriteElementString("code", Dev, example.Code);
            w.WriteStartElement("dev", "remarks", Dev);
            WriteParagraphs(w, example.Remarks);
            w.WriteEndElement();
            w.WriteEndElement();
        }
        w.WriteEndElement();

        // The front matter's 'online version' is the first link, as platyPS makes it.
        var links = page.RelatedLinks.ToList();
        if (page.Metadata.TryGetValue("online version", out var online) && online.Length > 0 && (links.Count == 0 || links[0].Uri != online))
        {
            links.Insert(0, new RelatedLink("Online Version:", online));
        }
        w.WriteStartElement("command", "relatedLinks", Command);
        foreach (var link in links)
        {
            w.WriteStartElement("maml", "navigationLink", Maml);
            w.WriteElementString("linkText", Maml, link.Text);
            w.WriteStartElement("maml", "uri", Maml);
            // A link to another page (Other-Cmdlet.md) keeps its text and gets no uri, as in platyPS.
            w.WriteString(Uri.TryCreate(link.Uri, UriKind.Absolute, out _) ? link.Uri : "");
            w.WriteFullEndElement();
            w.WriteEndElement();
        }
        w.WriteEndElement();

        w.WriteEndElement();
    }

    // One syntax item per parameter set, in the order the sets first appear in the yaml, each with the parameters in
    // that set (or in all sets), positional ones first: a stable sort on the Position text, as platyPS does.
    private static List<List<(DocParameter, ParameterEntry)>> SyntaxItems(CommandPage page)
    {
        var setNames = page.Parameters.SelectMany(p => p.Entries).SelectMany(e => e.ParameterSets).Distinct().ToList();
        if (setNames.Count == 0) return new() { new() };
        var named = setNames.Where(s => s != CommandPage.AllSets).ToList();
        if (named.Count == 0) named.Add(CommandPage.AllSets);
        return named.Select(set => page.Parameters
                .Select(p => (Parameter: p, Entry: p.Entries.LastOrDefault(e => e.ParameterSets.Contains(set))
                    ?? (p.Entries is [{ ParameterSets: [CommandPage.AllSets] } only] ? only : null)))
                .Where(m => m.Entry is not null)
                .Select(m => (m.Parameter, m.Entry!))
                .OrderBy(m => m.Item2.Position, StringComparer.Ordinal)
                .ToList())
            .ToList();
    }

    private static void WriteParameter(XmlWriter w, DocParameter parameter, ParameterEntry entry, bool inSyntax)
    {
        var type = entry.Type is null ? "" : entry.IsSwitch ? "SwitchParameter" : entry.Type;
        w.WriteStartElement("command", "parameter", Command);
        w.WriteAttributeString("required", entry.Required ? "true" : "false");
        w.WriteAttributeString("variableLength", "true");
        w.WriteAttributeString("globbing", entry.Globbing ? "true" : "false");
        w.WriteAttributeString("pipelineInput", entry.PipelineInput);
        w.WriteAttributeString("position", entry.Position.ToLowerInvariant());
        w.WriteAttributeString("aliases", entry.Aliases.Count > 0 ? string.Join(", ", entry.Aliases) : "none");
        w.WriteElementString("name", Maml, parameter.Name);
        WriteDescription(w, parameter.Description);
        if (inSyntax && entry.AcceptedValues.Count > 0)
        {
            w.WriteStartElement("command", "parameterValueGroup", Command);
            foreach (var value in entry.AcceptedValues)
            {
                w.WriteStartElement("command", "parameterValue", Command);
                w.WriteAttributeString("required", "false");
                w.WriteAttributeString("command", "variableLength", Command, "false");
                w.WriteString(value);
                w.WriteEndElement();
            }
            w.WriteEndElement();
        }
        // Inside syntax a switch gets no parameterValue, so Get-Help shows [-Name] rather than [-Name <SwitchParameter>].
        if (!inSyntax || !entry.IsSwitch)
        {
            w.WriteStartElement("command", "parameterValue", Command);
            w.WriteAttributeString("required", entry.IsSwitch ? "false" : "true");
            w.WriteAttributeString("variableLength", "false");
            w.WriteString(type);
            w.WriteEndElement();
        }
        w.WriteStartElement("dev", "type", Dev);
        w.WriteElementString("name", Maml, type);
        w.WriteStartElement("maml", "uri", Maml);
        w.WriteEndElement();
        w.WriteEndElement();
        var defaultValue = entry.DefaultValue;
        if (entry.IsSwitch && (string.IsNullOrEmpty(defaultValue) || defaultValue == "None")) defaultValue = "False";
        w.WriteElementString("defaultValue", Dev, defaultValue ?? "None");
        w.WriteEndElement();
    }

    private static string ExampleTitle(string title)
    {
        if (string.IsNullOrWhiteSpace(title) || title.Length >= 62) return title;
        var pad = new string('-', (64 - title.Length - 2) / 2);
        return pad + " " + title + " " + pad;
    }

    private static void WriteDescription(XmlWriter w, string text)
    {
        w.WriteStartElement("maml", "description", Maml);
        WriteParagraphs(w, text);
        w.WriteEndElement();
    }

    private static void WriteParagraphs(XmlWriter w, string text)
    {
        foreach (var paragraph in text.Split('\n'))
        {
            w.WriteStartElement("maml", "para", Maml);
            w.WriteString(paragraph);
            w.WriteFullEndElement();
        }
    }
}
