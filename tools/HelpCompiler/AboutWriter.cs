using System;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Markdig.Syntax;

namespace FletSecret.HelpCompiler;

// An about topic as platyPS 0.14's TextRenderer writes it: TOPIC, the name, the headings, indented wrapped text.
internal static class AboutWriter
{
    private const string Indent = "    ";
    private const string NewLine = "\r\n";

    public static string Render(MarkdownFile file, int width)
    {
        var blocks = file.Blocks;
        if (blocks is not [HeadingBlock { Level: 1 }, HeadingBlock { Level: 2 } name, ..] || !file.HeadingText(name).StartsWith("about_", StringComparison.OrdinalIgnoreCase))
        {
            throw new DocumentException(file.Path, 1, "An about topic starts with '# about_Name' and '## about_Name'.");
        }
        var text = new StringBuilder();
        for (var i = 0; i < blocks.Count; i++)
        {
            if (blocks[i] is HeadingBlock heading)
            {
                var title = file.HeadingText(heading);
                text.Append(i == 0 ? "TOPIC" : heading.Level == 1 ? title.ToUpperInvariant() : i == 1 ? Indent + title.ToLowerInvariant() + NewLine
                    : heading.Level == 2 ? title : Indent + title.ToUpperInvariant()).Append(NewLine);
            }
            else if (blocks[i] is FencedCodeBlock code)
            {
                foreach (var line in MarkdownFile.CodeText(code).Split('\n')) text.Append(Indent).Append(line).Append(NewLine);
                text.Append(NewLine);
            }
            else
            {
                // A run of text blocks, up to the next heading or code block.
                var first = blocks[i];
                var run = blocks.Skip(i).TakeWhile(MarkdownFile.IsText).ToList();
                i += run.Count - 1;
                var content = string.Join(NewLine, file.Paragraphs(run));
                if (content.Length > width - 4) Wrap(text, content, width, file, first);
                else if (content.Contains(NewLine)) throw file.Error(first, $"This text is shorter than {width - 4} characters but has several paragraphs; platyPS indents only its first line. Lengthen it or split it with a heading or code block.");
                else text.Append(Indent).Append(content);
                text.Append(NewLine).Append(NewLine);
            }
        }
        var result = Regex.Replace(text.ToString(), "\u2018|\u2019|\u201b", "'");
        result = Regex.Replace(result, "\u201c|\u201d|\u201e|\u201f", "\"");
        result = Regex.Replace(result, "\u05be|\u1806|\u2010|\u2011|\u00AD|\u2012|\u2013|\u2014|\u2015|\u2212", "-");
        return Regex.Replace(result, "\r\n?|\n", NewLine);
    }

    // TextRenderer.WrapAndAppendLines: words wrapped at width - 4; a line break inside the text starts a new line.
    private static void Wrap(StringBuilder text, string content, int width, MarkdownFile file, Block at)
    {
        static string DropSpace(string s) => s.EndsWith(' ') ? s[..^1] : s;
        var current = "";
        foreach (var word in content.Split(' '))
        {
            if (word.Contains(NewLine))
            {
                var parts = word.Split(new[] { NewLine }, StringSplitOptions.RemoveEmptyEntries);
                foreach (var part in parts)
                {
                    if (part == parts[^1]) current += part + " ";
                    else { text.Append(Indent).Append(current + part).Append(NewLine); current = ""; }
                }
            }
            else if (current.Length + word.Length > width - 4)
            {
                if (current.Length == 0) throw file.Error(at, $"The word '{word}' is longer than the about topic's width; platyPS fails on it. Put it in a code block.");
                text.Append(Indent).Append(DropSpace(current)).Append(NewLine);
                current = word + " ";
            }
            else current += word + " ";
        }
        if (current is not ("" or " ")) text.Append(Indent).Append(DropSpace(current));
    }
}
