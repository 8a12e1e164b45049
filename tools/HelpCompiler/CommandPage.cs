using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace FletSecret.HelpCompiler;

// The model of a cmdlet page (platyPS schema 2.0.0), also written by --json for the help tests: text values are the
// text that goes into the help, paragraphs separated by "\n".
internal sealed record SyntaxBlock(string ParameterSetName, bool IsDefault, List<string> ParameterNames);
internal sealed record TypeEntry(string TypeName, string Description);
internal sealed record Example(string Title, string Code, string Remarks);
internal sealed record RelatedLink(string Text, string Uri);
internal sealed record DocParameter(string Name, string Description, List<ParameterEntry> Entries);
internal sealed record ParameterEntry(string? Type, List<string> ParameterSets, List<string> Aliases, List<string> AcceptedValues,
    bool Required, string Position, string? DefaultValue, string PipelineInput, bool Globbing, bool IsSwitch);

internal sealed class CommandPage
{
    public const string AllSets = "(All)";
    private static readonly string[] Sections = { "SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS" };
    private static readonly string[] YamlKeys = { "Type", "Parameter Sets", "Aliases", "Accepted values", "Required", "Position", "Default value", "Accept pipeline input", "Accept wildcard characters" };
    private static readonly Regex SyntaxParameter = new(@"(?<=[\s\[])-([A-Za-z][A-Za-z0-9]*)", RegexOptions.CultureInvariant);

    private readonly MarkdownFile _file;
    private readonly CmdletInfo _cmdlet;
    private int _at;

    private CommandPage(MarkdownFile file, CmdletInfo cmdlet, string name) => (_file, _cmdlet, Name, Path, Metadata) = (file, cmdlet, name, file.Path, file.Metadata);

    public string Name { get; }
    public string Path { get; }
    public Dictionary<string, string> Metadata { get; }
    public string Synopsis { get; private set; } = "";
    public string Description { get; private set; } = "";
    public List<SyntaxBlock> Syntax { get; } = new();
    public string? DefaultParameterSet => Syntax.Count(s => s.IsDefault) == 1 ? Syntax.Single(s => s.IsDefault).ParameterSetName : null;
    public List<DocParameter> Parameters { get; } = new();
    public bool SupportsCommonParameters { get; private set; }
    public List<TypeEntry> Inputs { get; } = new();
    public List<TypeEntry> Outputs { get; } = new();
    public string Notes { get; private set; } = "";
    public List<Example> Examples { get; } = new();
    public List<RelatedLink> RelatedLinks { get; } = new();
    [JsonIgnore] public string HelpFileName => Metadata.GetValueOrDefault("external help file") is { Length: > 0 } name
        ? name : throw new DocumentException(Path, 1, "The front matter has no 'external help file'.");

    private Block? Current => _at < _file.Blocks.Count ? _file.Blocks[_at] : null;
    private bool AtSectionEnd => Current is null or HeadingBlock { Level: < 3 };

    public static CommandPage Read(MarkdownFile file, IReadOnlyDictionary<string, CmdletInfo> cmdlets)
    {
        if (file.Blocks.FirstOrDefault() is not HeadingBlock { Level: 1 } title) throw new DocumentException(file.Path, 1, "A cmdlet page starts with '# Verb-Noun'.");
        var name = file.HeadingText(title);
        if (!cmdlets.TryGetValue(name, out var cmdlet))
        {
            throw file.Error(title, $"'{name}' is not a cmdlet of the module's assembly (its cmdlets: {string.Join(", ", cmdlets.Keys.OrderBy(k => k, StringComparer.Ordinal))}).");
        }
        var page = new CommandPage(file, cmdlet, name) { _at = 1 };
        var seen = new Dictionary<string, HeadingBlock>();
        while (page.Current is { } block)
        {
            if (block is not HeadingBlock { Level: 2 } section) throw file.Error(block, "Expected a '##' section heading.");
            page._at++;
            var heading = file.HeadingText(section);
            var key = heading.ToUpperInvariant();
            if (!Sections.Contains(key)) throw file.Error(section, $"Unknown section '{heading}'; a cmdlet page has the sections {string.Join(", ", Sections)}.");
            if (!seen.TryAdd(key, section)) throw file.Error(section, $"A second '{key}' section.");
            page.ReadSection(key, section);
        }
        var missing = Sections.Where(s => !seen.ContainsKey(s)).Select(s => $"'## {s}'").ToList();
        if (missing.Count > 0) throw file.Error(title, $"The page has no section {string.Join(", ", missing)}.");
        page.Check(seen["SYNTAX"], seen["PARAMETERS"]);
        return page;
    }

    private void ReadSection(string key, HeadingBlock section)
    {
        switch (key)
        {
            case "SYNOPSIS": Synopsis = ReadText(section); break;
            case "DESCRIPTION": Description = ReadText(section); break;
            case "NOTES": Notes = ReadText(section); break;
            case "SYNTAX":
                while (!AtSectionEnd)
                {
                    // A block without a heading: the cmdlet's only parameter set, as platyPS writes it.
                    var setName = Current is HeadingBlock { Level: 3 } set ? _file.HeadingText(set) : AllSets;
                    if (Current is HeadingBlock { Level: 3 }) _at++;
                    if (Current is not FencedCodeBlock code) throw _file.Error(Current ?? section, "Under SYNTAX: '### SetName' followed by a ``` block.");
                    _at++;
                    var isDefault = setName == AllSets || setName.EndsWith(" (Default)", StringComparison.Ordinal);
                    Syntax.Add(new SyntaxBlock(isDefault && setName != AllSets ? setName[..^" (Default)".Length] : setName, isDefault,
                        SyntaxParameter.Matches(MarkdownFile.CodeText(code)).Select(m => m.Groups[1].Value).ToList()));
                }
                break;
            case "EXAMPLES":
                ReadSubsections("'### Example N: title', code blocks, then the explanation", heading =>
                {
                    if (Current is { } first && MarkdownFile.IsText(first)) throw _file.Error(first, "Text before the first code block of an example is dropped by platyPS; put it after the code.");
                    var blocks = new List<string>();
                    for (; Current is FencedCodeBlock code; _at++) blocks.Add(MarkdownFile.CodeText(code));
                    if (blocks.Count == 0) throw _file.Error(heading, $"Example '{_file.HeadingText(heading)}' has no code block.");
                    Examples.Add(new Example(_file.HeadingText(heading), string.Join("\n\n", blocks), ReadText(heading)));
                });
                break;
            case "PARAMETERS": ReadSubsections("'### -Name', its description, then yaml blocks", ReadParameter); break;
            case "INPUTS": ReadSubsections("'### TypeName' and its description", h => Inputs.Add(new TypeEntry(_file.HeadingText(h), ReadText(h)))); break;
            case "OUTPUTS": ReadSubsections("'### TypeName' and its description", h => Outputs.Add(new TypeEntry(_file.HeadingText(h), ReadText(h)))); break;
            case "RELATED LINKS":
                // One [text](uri) per line or paragraph.
                for (; Current is ParagraphBlock paragraph; _at++)
                {
                    for (var inline = paragraph.Inline?.FirstChild; inline is not null; inline = inline.NextSibling)
                    {
                        if (inline is LinkInline { IsImage: false } link) RelatedLinks.Add(new RelatedLink(_file.InlineText(link), link.Url ?? ""));
                        else if (inline is not LineBreakInline { IsHard: false }) throw _file.Error(inline, $"RELATED LINKS holds one '[text](uri)' per line; got '{_file.Raw(inline)}'.");
                    }
                }
                if (Current is not (null or HeadingBlock)) throw _file.Error(Current, "RELATED LINKS holds links only.");
                break;
        }
    }

    private void ReadSubsections(string shape, Action<HeadingBlock> read)
    {
        while (!AtSectionEnd)
        {
            if (Current is not HeadingBlock { Level: 3 } heading) throw _file.Error(Current!, $"Expected {shape}.");
            _at++;
            read(heading);
        }
    }

    // The text right after a heading, if any; nothing else may follow it in its section (platyPS fails on it).
    private string ReadText(HeadingBlock heading)
    {
        var text = string.Join("\n", _file.Paragraphs(ReadRun()));
        if (Current is not (null or HeadingBlock)) throw _file.Error(Current, $"Under '{_file.HeadingText(heading)}' only text is allowed.");
        return text;
    }

    private List<Block> ReadRun()
    {
        var run = new List<Block>();
        for (; Current is { } block && MarkdownFile.IsText(block); _at++) run.Add(block);
        return run;
    }

    private void ReadParameter(HeadingBlock heading)
    {
        var name = _file.HeadingText(heading).TrimStart('-');
        if (name == "CommonParameters")
        {
            // platyPS's stock text (with its link): Get-Help writes its own.
            while (!AtSectionEnd && Current is not HeadingBlock) _at++;
            SupportsCommonParameters = true;
            return;
        }
        if (!_cmdlet.Parameters.TryGetValue(name, out var actual))
        {
            throw _file.Error(heading, $"{_cmdlet.Name} has no parameter -{name} (its parameters: {string.Join(", ", _cmdlet.Parameters.Keys.Select(k => "-" + k))}).");
        }
        // The description: text, and code blocks other than yaml ones kept as text, joined by a blank line.
        var parts = new List<string>();
        while (Current is not (null or HeadingBlock or FencedCodeBlock { Info: "yaml" }))
        {
            if (Current is FencedCodeBlock code) { parts.Add(MarkdownFile.CodeText(code)); _at++; }
            else parts.Add(string.Join("\n", _file.Paragraphs(ReadRun())));
        }
        var entries = new List<ParameterEntry>();
        for (; Current is FencedCodeBlock { Info: "yaml" } yaml; _at++) entries.Add(ReadYaml(yaml, actual));
        if (Current is not (null or HeadingBlock)) throw _file.Error(Current, $"Parameter -{name}: after its yaml block(s) comes the next '###' heading.");
        if (entries.Count == 0) throw _file.Error(heading, $"Parameter -{name} has no yaml block.");
        Parameters.Add(new DocParameter(name, string.Join("\n\n", parts), entries));
    }

    private ParameterEntry ReadYaml(FencedCodeBlock yaml, CmdletParameter actual)
    {
        var pairs = new Dictionary<string, string>();
        var setsLine = _file.LineOf(yaml);
        foreach (var line in yaml.Lines.Lines.Take(yaml.Lines.Count))
        {
            var text = line.ToString().Trim();
            var colon = text.IndexOf(':');
            if (text.Length == 0) continue;
            if (colon < 0) throw new DocumentException(Path, line.Line + 1, $"Parameter -{actual.Name}: yaml lines are 'Key: value'.");
            var key = YamlKeys.FirstOrDefault(k => k.Equals(text[..colon].Trim(), StringComparison.OrdinalIgnoreCase))
                ?? throw new DocumentException(Path, line.Line + 1, $"Parameter -{actual.Name}: unknown yaml key '{text[..colon].Trim()}'.");
            if (key == "Parameter Sets") setsLine = line.Line + 1;
            if (text[(colon + 1)..].Trim() is { Length: > 0 } value) pairs[key] = value; // an empty value counts as absent
        }
        string? Get(string key) => pairs.GetValueOrDefault(key);
        bool IsTrue(string key) => "true".Equals(Get(key), StringComparison.OrdinalIgnoreCase);
        List<string> Split(string key) => (Get(key) ?? "").Split(',').Select(s => s.Trim()).Where(s => s.Length > 0).ToList();

        var sets = Get("Parameter Sets") is null ? new List<string> { AllSets } : Split("Parameter Sets");
        var allowed = actual.InAllSets ? _cmdlet.SetNames.Append(AllSets) : actual.Sets;
        if (sets.FirstOrDefault(s => !allowed.Contains(s)) is { } wrong)
        {
            throw new DocumentException(Path, setsLine, $"Parameter -{actual.Name} is not in the parameter set '{wrong}' (its sets: {string.Join(", ", actual.InAllSets ? new List<string> { AllSets } : actual.Sets)}).");
        }
        var type = Get("Type");
        return new ParameterEntry(type, sets, Split("Aliases"), Split("Accepted values"), IsTrue("Required"), Get("Position") ?? "named",
            Get("Default value"), Get("Accept pipeline input") ?? "false", IsTrue("Accept wildcard characters"),
            type is not null && (type.Equals("SwitchParameter", StringComparison.OrdinalIgnoreCase) || type.Equals("switch", StringComparison.OrdinalIgnoreCase)));
    }

    // Every parameter of the cmdlet is documented, and SYNTAX names each of its parameter sets once.
    private void Check(HeadingBlock syntax, HeadingBlock parameters)
    {
        var undocumented = _cmdlet.Parameters.Keys.Where(k => Parameters.All(p => p.Name != k)).Select(k => "-" + k).ToList();
        if (undocumented.Count > 0) throw _file.Error(parameters, $"{_cmdlet.Name} has undocumented parameters: {string.Join(", ", undocumented)}.");
        var expected = _cmdlet.SetNames.DefaultIfEmpty(AllSets).OrderBy(s => s, StringComparer.Ordinal).ToList();
        var documented = Syntax.Select(s => s.ParameterSetName).OrderBy(s => s, StringComparer.Ordinal).ToList();
        if (!documented.SequenceEqual(expected))
        {
            throw _file.Error(syntax, $"SYNTAX has the sets {string.Join(", ", documented)}; {_cmdlet.Name} has {string.Join(", ", expected)}.");
        }
    }
}
