using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Markdig;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace FletSecret.HelpCompiler;

// One markdown file as Markdig reads it: the front matter's 'key: value' pairs and the top-level blocks, read with
// the text rules of the help (the markdown that Get-Help can show as it reads).
internal sealed class MarkdownFile
{
    // CommonMark and front matter only: no extension that would read plain help text as markup (a bare URL stays text).
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseYamlFrontMatter().UsePreciseSourceLocation().Build();

    private MarkdownFile(string path) => (Path, Source) = (path, File.ReadAllText(path, Encoding.UTF8));

    public string Path { get; }
    public string Source { get; }
    public Dictionary<string, string> Metadata { get; } = new();
    public List<Block> Blocks { get; } = new();

    public static MarkdownFile Read(string path)
    {
        var file = new MarkdownFile(path);
        foreach (var block in Markdown.Parse(file.Source, Pipeline))
        {
            if (block is YamlFrontMatterBlock front)
            {
                foreach (var line in front.Lines.Lines.Take(front.Lines.Count))
                {
                    var entry = line.ToString().Trim();
                    var colon = entry.IndexOf(':');
                    if (entry.Length == 0 || entry == "---") continue;
                    if (colon < 0) throw new DocumentException(path, line.Line + 1, $"Front matter lines are 'key: value'; got '{entry}'.");
                    file.Metadata[entry[..colon].Trim()] = entry[(colon + 1)..].Trim();
                }
            }
            else if (block is HeadingBlock or FencedCodeBlock or ParagraphBlock or ListBlock) file.Blocks.Add(block);
            else
            {
                // Get-Help would show these as plain text, unlike the markdown reads.
                var kind = block switch { CodeBlock => "An indented code block", QuoteBlock => "A quote", HtmlBlock => "An HTML block", _ => $"A {block.GetType().Name}" };
                throw file.Error(block, $"{kind} is not part of the help schema; use '#' headings, text, '-' lists and ``` code blocks.");
            }
        }
        return file;
    }

    public int LineOf(MarkdownObject node) => node.Line + 1;

    public DocumentException Error(MarkdownObject node, string message) => new(Path, LineOf(node), message);

    public string HeadingText(HeadingBlock heading) => InlineText(heading.Inline);

    // A code block's text, trimmed as platyPS trims it (so a first line's indentation goes too).
    public static string CodeText(FencedCodeBlock code) => string.Join("\n", code.Lines.Lines.Take(code.Lines.Count)).Trim();

    public static bool IsText(Block block) => block is ParagraphBlock or ListBlock;

    // The paragraphs of a run of text blocks as the help shows them: a paragraph's lines joined with spaces; each list
    // item a paragraph of its own, with its marker.
    public List<string> Paragraphs(IEnumerable<Block> run) => run.SelectMany(block => block is ListBlock list
        ? list.OfType<ListItemBlock>().Select(item => item is [ParagraphBlock text]
            ? (list.IsOrdered ? item.Order + list.OrderedDelimiter.ToString() : list.BulletType.ToString()) + " " + InlineText(text.Inline)
            : throw Error(item, "A list item is one paragraph (no nested list, code or second paragraph): Get-Help shows it as one line."))
        : new[] { InlineText(((ParagraphBlock)block).Inline) }).ToList();

    // Text as Get-Help shows it: literally, escapes undone, `code` in its backticks. Markup that the help cannot show
    // (emphasis, links, hard breaks) is refused: it would show as something else.
    public string InlineText(ContainerInline? container)
    {
        var text = new StringBuilder();
        for (var inline = container?.FirstChild; inline is not null; inline = inline.NextSibling)
        {
            text.Append(inline switch
            {
                LiteralInline literal => literal.Content.ToString(),
                CodeInline code => new string(code.Delimiter, code.DelimiterCount) + code.Content + new string(code.Delimiter, code.DelimiterCount),
                LineBreakInline { IsHard: false } => " ",
                LineBreakInline => throw Error(inline, "A hard line break (two trailing spaces or a trailing backslash) cannot be shown by Get-Help; remove it."),
                HtmlInline html => html.Tag,
                HtmlEntityInline entity => entity.Original.ToString(),
                AutolinkInline autolink => "<" + autolink.Url + ">",
                EmphasisInline emphasis => throw Error(inline, $"'{Raw(inline)}' is {(emphasis.DelimiterCount >= 2 ? "bold" : "italic")} (emphasis), which Get-Help shows as plain text without its marks; rephrase it or put it in a code block."),
                LinkInline => throw Error(inline, $"'{Raw(inline)}' is a link, which Get-Help cannot show; write the name or address as text, or list it under RELATED LINKS."),
                _ => throw Error(inline, $"'{Raw(inline)}' ({inline.GetType().Name}) is not part of the help schema."),
            });
        }
        return text.ToString().Trim();
    }

    public string Raw(MarkdownObject node) => node.Span.Start >= 0 && node.Span.End < Source.Length ? Source.Substring(node.Span.Start, node.Span.Length) : "";
}
