using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Markdig.Syntax;

namespace FletSecret.HelpCompiler;

// The model of a cmdlet page (platyPS schema 2.0.0), as the help tests read it (--json): text values are the text
// that goes into the help, paragraphs separated by "\n".
internal sealed record SyntaxBlock(string ParameterSetName, bool IsDefault, string Code, List<string> ParameterNames);
internal sealed record TypeEntry(string TypeName, string Description);
internal sealed record Example(string Title, string Code, string Remarks);
internal sealed record RelatedLink(string Text, string Uri);

internal sealed record ParameterEntry(
    string? Type, List<string> ParameterSets, List<string> Aliases, List<string> AcceptedValues, bool Required,
    string Position, string? DefaultValue, string PipelineInput, bool Globbing, bool IsSwitch);

internal sealed record DocParameter(string Name, string? Type, List<string> Aliases, string Description, List<string> ParameterSets, List<ParameterEntry> Entries);

internal sealed class CommandPage
{
    public const string AllSets = "(All)";
    private static readonly string[] Sections = { "SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS" };
    private static readonly string[] YamlKeys = { "Type", "Parameter Sets", "Aliases", "Accepted values", "Required", "Position", "Default value", "Accept pipeline input", "Accept wildcard characters" };
    private static readonly Regex SyntaxParameter = new(@"(?<=[\s\[])-([A-Za-z][A-Za-z0-9]*)", RegexOptions.CultureInvariant);

    public string Name { get; private set; } = "";
    public string Path { get; private set; } = "";
    public Dictionary<string, string> Metadata { get; private set; } = new();
    public string Synopsis { get; private set; } = "";
    public string Description { get; private set; } = "";
    public List<SyntaxBlock> Syntax { get; } = new();
    public string? DefaultParameterSet => Syntax.Where(s => s.IsDefault).Select(s => s.ParameterSetName).SingleOrDefaultIfMany();
    public List<DocParameter> Parameters { get; } = new();
    public bool SupportsCommonParameters { get; private set; }
    public List<TypeEntry> Inputs { get; } = new();
    public List<TypeEntry> Outputs { get; } = new();
    public string Notes { get; private set; } = "";
    public List<Example> Examples { get; } = new();
    public List<RelatedLink> RelatedLinks { get; } = new();
    [JsonIgnore] public string HelpFileName { get; private set; } = "";

    private MarkdownFile _file = null!;
    private int _at;

    public static CommandPage Read(MarkdownFile file, IReadOnlyDictionary<string, CmdletInfo> cmdlets)
    {
        var page = new CommandPage { _file = file, Path = file.Path, Metadata = file.Metadata };
        page.Parse(cmdlets);
        return page;
    }

    private Block? Current => _at < _file.Blocks.Count ? _file.Blocks[_at] : null;
    private bool AtSectionEnd => Current is null || Current is HeadingBlock { Level: < 3 };

    private void Parse(IReadOnlyDictionary<string, CmdletInfo> cmdlets)
    {
        if (Current is not HeadingBlock { Level: 1 } title) throw new DocumentException(Path, 1, "A cmdlet page starts with '# Verb-Noun'.");
        Name = _file.HeadingText(title);
        _at++;
        if (!cmdlets.TryGetValue(Name, out var cmdlet))
        {
            throw _file.Error(title, $"'{Name}' is not a cmdlet of the module's assembly (its cmdlets: {string.Join(", ", cmdlets.Keys.OrderBy(k => k, StringComparer.Ordinal))}).");
        }
        HelpFileName = Metadata.TryGetValue("external help file", out var helpFile) && helpFile.Length > 0
            ? helpFile : throw new DocumentException(Path, 1, "The front matter has no 'external help file'.");

        var seen = new Dictionary<string, HeadingBlock>(StringComparer.Ordinal);
        while (Current is not null)
        {
            if (Current is not HeadingBlock { Level: 2 } section) throw _file.Error(Current, "Expected a '##' section heading.");
            _at++;
            var name = _file.HeadingText(section).ToUpperInvariant();
            if (!Sections.Contains(name)) throw _file.Error(section, $"Unknown section '{_file.HeadingText(section)}'; a cmdlet page has the sections {string.Join(", ", Sections)}.");
            if (!seen.TryAdd(name, section)) throw _file.Error(section, $"A second '{name}' section.");
            switch (name)
            {
                case "SYNOPSIS": Synopsis = ReadText(section); break;
                case "DESCRIPTION": Description = ReadText(section); break;
                case "NOTES": Notes = ReadText(section); break;
                case "SYNTAX": ReadSyntax(); break;
                case "EXAMPLES": ReadExamples(); break;
                case "PARAMETERS": ReadParameters(cmdlet, section); break;
                case "INPUTS": ReadTypes(Inputs, name); break;
                case "OUTPUTS": ReadTypes(Outputs, name); break;
                case "RELATED LINKS": ReadLinks(); break;
            }
        }
        var missing = Sections.Where(s => !seen.ContainsKey(s)).ToList();
        if (missing.Count > 0) throw _file.Error(title, $"The page has no section {string.Join(", ", missing.Select(s => "'## " + s + "'"))}.");
        CheckSyntax(cmdlet, seen["SYNTAX"]);
    }

    // The text right after a heading, if any; nothing else may follow it in its section (platyPS fails on it).
    private string ReadText(HeadingBlock heading)
    {
        var run = new List<Block>();
        while (Current is not null && MarkdownFile.IsText(Current)) run.Add(_file.Blocks[_at++]);
        if (Current is not null and not HeadingBlock) throw _file.Error(Current, $"Under '{_file.HeadingText(heading)}' only text is allowed.");
        return string.Join("\n", _file.Paragraphs(run));
    }

    private void ReadSyntax()
    {
        while (!AtSectionEnd)
        {
            string setName = AllSets;
            var isDefault = true;
            if (Current is HeadingBlock { Level: 3 } heading)
            {
                _at++;
                setName = _file.HeadingText(heading);
                isDefault = setName.EndsWith(" (Default)", StringComparison.Ordinal);
                if (isDefault) setName = setName.Substring(0, setName.Length - " (Default)".Length);
            }
            // A block without a heading: the cmdlet's only parameter set, as platyPS writes it.
            if (Current is not FencedCodeBlock code) throw _file.Error(Current!, "Under SYNTAX: '### SetName' followed by a ``` block.");
            _at++;
            var text = MarkdownFile.CodeText(code);
            Syntax.Add(new SyntaxBlock(setName, isDefault, text, SyntaxParameter.Matches(text).Select(m => m.Groups[1].Value).ToList()));
        }
    }

    private void ReadExamples()
    {
        while (!AtSectionEnd)
        {
            if (Current is not HeadingBlock { Level: 3 } heading) throw _file.Error(Current!, "Under EXAMPLES: '### Example N: title', code blocks, then the explanation.");
            _at++;
            if (Current is not null && MarkdownFile.IsText(Current))
            {
                throw _file.Error(Current, "Text before the first code block of an example is dropped by platyPS; put it after the code.");
            }
            var blocks = new List<string>();
            while (Current is FencedCodeBlock code) { blocks.Add(MarkdownFile.CodeText(code)); _at++; }
            if (blocks.Count == 0) throw _file.Error(heading, $"Example '{_file.HeadingText(heading)}' has no code block.");
            Examples.Add(new Example(_file.HeadingText(heading), string.Join("\n\n", blocks), ReadText(heading)));
        }
    }

    private void ReadParameters(CmdletInfo cmdlet, HeadingBlock section)
    {
        while (!AtSectionEnd)
        {
            if (Current is not HeadingBlock { Level: 3 } heading) throw _file.Error(Current!, "Under PARAMETERS: '### -Name', its description, then yaml blocks.");
            _at++;
            var name = _file.HeadingText(heading).TrimStart('-');
            if (name == "CommonParameters")
            {
                // platyPS's stock text (with its link); the help writes its own.
                while (!AtSectionEnd && Current is not HeadingBlock) _at++;
                SupportsCommonParameters = true;
                continue;
            }
            if (!cmdlet.Parameters.TryGetValue(name, out var actual))
            {
                throw _file.Error(heading, $"{cmdlet.Name} has no parameter -{name} (its parameters: {string.Join(", ", cmdlet.Parameters.Keys.Select(k => "-" + k))}).");
            }
            // The description: text, and code blocks other than yaml ones kept as text, joined by a blank line.
            var parts = new List<string>();
            while (Current is not null and not HeadingBlock && Current is not FencedCodeBlock { Info: "yaml" })
            {
                if (Current is FencedCodeBlock code) { parts.Add(MarkdownFile.CodeText(code)); _at++; continue; }
                var run = new List<Block>();
                while (Current is not null && MarkdownFile.IsText(Current)) run.Add(_file.Blocks[_at++]);
                parts.Add(string.Join("\n", _file.Paragraphs(run)));
            }
            var entries = new List<ParameterEntry>();
            while (Current is FencedCodeBlock { Info: "yaml" } yaml) { entries.Add(ReadYaml(yaml, name, actual, cmdlet)); _at++; }
            if (Current is not null and not HeadingBlock) throw _file.Error(Current, $"Parameter -{name}: after its yaml block(s) comes the next '###' heading.");
            if (entries.Count == 0) throw _file.Error(heading, $"Parameter -{name} has no yaml block.");
            var sets = entries.SelectMany(e => e.ParameterSets).Distinct().ToList();
            Parameters.Add(new DocParameter(name, entries[0].Type, entries[0].Aliases, string.Join("\n\n", parts), sets, entries));
        }
        var undocumented = cmdlet.Parameters.Keys.Where(k => Parameters.All(p => p.Name != k)).ToList();
        if (undocumented.Count > 0) throw _file.Error(section, $"{cmdlet.Name} has undocumented parameters: {string.Join(", ", undocumented.Select(k => "-" + k))}.");
    }

    private ParameterEntry ReadYaml(FencedCodeBlock yaml, string parameter, CmdletParameter actual, CmdletInfo cmdlet)
    {
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        var setsLine = _file.LineOf(yaml);
        foreach (var line in yaml.Lines.Lines.Take(yaml.Lines.Count))
        {
            var text = line.ToString().Trim();
            if (text.Length == 0) continue;
            var colon = text.IndexOf(':');
            if (colon < 0) throw new DocumentException(Path, line.Line + 1, $"Parameter -{parameter}: yaml lines are 'Key: value'.");
            var key = YamlKeys.FirstOrDefault(k => string.Equals(k, text.Substring(0, colon).Trim(), StringComparison.OrdinalIgnoreCase))
                ?? throw new DocumentException(Path, line.Line + 1, $"Parameter -{parameter}: unknown yaml key '{text.Substring(0, colon).Trim()}'.");
            if (key == "Parameter Sets") setsLine = line.Line + 1;
            // An empty value counts as absent.
            if (text.Substring(colon + 1).Trim() is { Length: > 0 } value) pairs[key] = value;
        }
        string? Get(string key) => pairs.TryGetValue(key, out var v) ? v : null;
        bool IsTrue(string key) => string.Equals(Get(key), "true", StringComparison.OrdinalIgnoreCase);
        List<string> Split(string key) => (Get(key) ?? "").Split(',').Select(s => s.Trim()).Where(s => s.Length > 0).ToList();

        var sets = pairs.ContainsKey("Parameter Sets") ? Split("Parameter Sets") : new List<string> { AllSets };
        var allowed = actual.InAllSets ? cmdlet.SetNames.Append(AllSets) : actual.Sets;
        foreach (var set in sets.Where(s => !allowed.Contains(s)))
        {
            throw new DocumentException(Path, setsLine, $"Parameter -{parameter} is not in the parameter set '{set}' (its sets: {string.Join(", ", actual.InAllSets ? new[] { AllSets } : actual.Sets)}).");
        }
        var type = Get("Type");
        return new ParameterEntry(type, sets, Split("Aliases"), Split("Accepted values"), IsTrue("Required"), Get("Position") ?? "named",
            Get("Default value"), Get("Accept pipeline input") ?? "false", IsTrue("Accept wildcard characters"),
            string.Equals(type, "SwitchParameter", StringComparison.OrdinalIgnoreCase) || string.Equals(type, "switch", StringComparison.OrdinalIgnoreCase));
    }

    // SYNTAX names the cmdlet's parameter sets, each once.
    private void CheckSyntax(CmdletInfo cmdlet, HeadingBlock section)
    {
        var expected = cmdlet.SetNames.Count > 0 ? cmdlet.SetNames : new List<string> { AllSets };
        var documented = Syntax.Select(s => s.ParameterSetName).ToList();
        if (!documented.OrderBy(s => s, StringComparer.Ordinal).SequenceEqual(expected.OrderBy(s => s, StringComparer.Ordinal)))
        {
            throw _file.Error(section, $"SYNTAX has the sets {string.Join(", ", documented)}; {cmdlet.Name} has {string.Join(", ", expected)}.");
        }
    }

    private void ReadTypes(List<TypeEntry> list, string section)
    {
        while (!AtSectionEnd)
        {
            if (Current is not HeadingBlock { Level: 3 } heading) throw _file.Error(Current!, $"Under {section}: '### TypeName' and its description.");
            _at++;
            list.Add(new TypeEntry(_file.HeadingText(heading), ReadText(heading)));
        }
    }

    // One [text](uri) per line or paragraph.
    private void ReadLinks()
    {
        while (Current is ParagraphBlock paragraph)
        {
            _at++;
            for (var inline = paragraph.Inline?.FirstChild; inline is not null; inline = inline.NextSibling)
            {
                switch (inline)
                {
                    case Markdig.Syntax.Inlines.LinkInline { IsImage: false } link:
                        RelatedLinks.Add(new RelatedLink(_file.InlineText(link), link.Url ?? ""));
                        break;
                    case Markdig.Syntax.Inlines.LineBreakInline { IsHard: false }:
                        break;
                    default:
                        throw _file.Error(inline, $"RELATED LINKS holds one '[text](uri)' per line; got '{_file.Raw(inline)}'.");
                }
            }
        }
        if (Current is not null and not HeadingBlock) throw _file.Error(Current, "RELATED LINKS holds links only.");
    }
}

internal static class EnumerableExtensions
{
    // The one element, or null when there are none or several (the page then has no single default set).
    public static string? SingleOrDefaultIfMany(this IEnumerable<string> source)
    {
        var items = source.Take(2).ToList();
        return items.Count == 1 ? items[0] : null;
    }
}
