using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using Markdig;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace FletSecret.HelpCompiler;

/// <summary>
/// One markdown file as Markdig reads it: the front matter's 'key: value' pairs and the top-level blocks, with the
/// text rules of the help (the subset of markdown that Get-Help can show without changing it).
/// </summary>
internal sealed class MarkdownFile
{
    // CommonMark and the front matter only: no extension that would read plain help text as markup (bare URLs
    // staying text, for example).
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UseYamlFrontMatter().UsePreciseSourceLocation().Build();

    private MarkdownFile(string path, string source, Dictionary<string, string> metadata, List<Block> blocks)
    {
        Path = path;
        Source = source;
        Metadata = metadata;
        Blocks = blocks;
    }

    public string Path { get; }
    public string Source { get; }
    public Dictionary<string, string> Metadata { get; }
    public List<Block> Blocks { get; }

    public static MarkdownFile Read(string path)
    {
        var source = File.ReadAllText(path, Encoding.UTF8);
        var document = Markdown.Parse(source, Pipeline);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var blocks = new List<Block>();
        foreach (var block in document)
        {
            if (block is YamlFrontMatterBlock front)
            {
                foreach (var line in front.Lines.Lines.Take(front.Lines.Count))
                {
                    var entry = line.ToString().Trim();
                    if (entry.Length == 0 || entry == "---") continue;
                    var colon = entry.IndexOf(':');
                    if (colon < 0) throw new DocumentException(path, line.Line + 1, $"Front matter lines are 'key: value'; got '{entry}'.");
                    metadata[entry.Substring(0, colon).Trim()] = entry.Substring(colon + 1).Trim();
                }
                continue;
            }
            if (block is not (HeadingBlock or FencedCodeBlock or ParagraphBlock or ListBlock))
            {
                // Indented code, quotes, HTML, rules, setext headings' look-alikes: Get-Help would show them as
                // plain text, differently from how the markdown reads.
                throw new DocumentException(path, block.Line + 1, $"{Describe(block)} is not part of the help schema; use '#' headings, text, '-' lists and ``` code blocks.");
            }
            blocks.Add(block);
        }
        return new MarkdownFile(path, source, metadata, blocks);
    }

    public int LineOf(MarkdownObject node) => node.Line + 1;

    public DocumentException Error(MarkdownObject node, string message) => new(Path, LineOf(node), message);

    /// <summary>A heading's text (backticks kept, escapes undone).</summary>
    public string HeadingText(HeadingBlock heading) => InlineText(heading.Inline);

    /// <summary>A code block's text, trimmed as platyPS trims it (so a first line's indentation goes too).</summary>
    public static string CodeText(FencedCodeBlock code) =>
        string.Join("\n", code.Lines.Lines.Take(code.Lines.Count).Select(l => l.ToString())).Trim();

    public static bool IsText(Block block) => block is ParagraphBlock or ListBlock;

    /// <summary>
    /// The paragraphs of a run of text blocks, as the help shows them: a paragraph's lines joined with spaces, each
    /// list item a paragraph of its own that keeps its marker.
    /// </summary>
    public List<string> Paragraphs(IEnumerable<Block> run)
    {
        var paragraphs = new List<string>();
        foreach (var block in run)
        {
            if (block is ParagraphBlock paragraph)
            {
                paragraphs.Add(InlineText(paragraph.Inline));
                continue;
            }
            var list = (ListBlock)block;
            foreach (var item in list.OfType<ListItemBlock>())
            {
                if (item.Count != 1 || item[0] is not ParagraphBlock itemText)
                {
                    throw Error(item, "A list item is one paragraph (no nested lists, code or second paragraph); Get-Help shows it as one line.");
                }
                var marker = list.IsOrdered ? item.Order + list.OrderedDelimiter.ToString() : list.BulletType.ToString();
                paragraphs.Add(marker + " " + InlineText(itemText.Inline));
            }
        }
        return paragraphs;
    }

    /// <summary>
    /// Text as Get-Help shows it: literally, with escapes undone and `code` kept in its backticks. Markup that the
    /// help cannot show (emphasis, links, hard breaks) is refused, since it would show as something else.
    /// </summary>
    public string InlineText(ContainerInline? container)
    {
        var text = new StringBuilder();
        for (var inline = container?.FirstChild; inline is not null; inline = inline.NextSibling)
        {
            switch (inline)
            {
                case LiteralInline literal: text.Append(literal.Content.ToString()); break;
                case CodeInline code:
                    var fence = new string(code.Delimiter, code.DelimiterCount);
                    text.Append(fence).Append(code.Content).Append(fence);
                    break;
                case LineBreakInline { IsHard: false }: text.Append(' '); break;
                case LineBreakInline:
                    throw Error(inline, "A hard line break (two trailing spaces or a trailing backslash) cannot be shown by Get-Help; remove it.");
                case HtmlInline html: text.Append(html.Tag); break;
                case HtmlEntityInline entity: text.Append(entity.Original.ToString()); break;
                case AutolinkInline autolink: text.Append('<').Append(autolink.Url).Append('>'); break;
                case EmphasisInline emphasis:
                    var kind = emphasis.DelimiterCount >= 2 ? "bold" : "italic";
                    throw Error(inline, $"'{Raw(inline)}' is {kind} (emphasis), which Get-Help shows as plain text without its marks; rephrase it or put it in a code block.");
                case LinkInline:
                    throw Error(inline, $"'{Raw(inline)}' is a link, which Get-Help cannot show; write the name or address as text, or list it under RELATED LINKS.");
                default:
                    throw Error(inline, $"'{Raw(inline)}' ({inline.GetType().Name}) is not part of the help schema.");
            }
        }
        return text.ToString().Trim();
    }

    public string Raw(MarkdownObject node) =>
        node.Span.Start >= 0 && node.Span.End < Source.Length ? Source.Substring(node.Span.Start, node.Span.Length) : node.ToString() ?? "";

    private static string Describe(Block block) => block switch
    {
        CodeBlock => "An indented code block",
        QuoteBlock => "A quote",
        HtmlBlock => "An HTML block",
        ThematicBreakBlock => "A horizontal rule",
        _ => $"A {block.GetType().Name}",
    };
}
