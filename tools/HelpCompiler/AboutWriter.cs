using System;
using System.Collections.Generic;
using System.Text;
using System.Text.RegularExpressions;
using Markdig.Syntax;

namespace FletSecret.HelpCompiler;

/// <summary>An about topic as platyPS 0.14's TextRenderer writes it: TOPIC, the name, headings, indented wrapped text.</summary>
internal static class AboutWriter
{
    private const string Indent = "    ";
    private const string NewLine = "\r\n";

    public static string Render(MarkdownFile file, int width)
    {
        var blocks = file.Blocks;
        if (blocks.Count < 2 || blocks[0] is not HeadingBlock { Level: 1 } || blocks[1] is not HeadingBlock { Level: 2 } name
            || !file.HeadingText(name).StartsWith("about_", StringComparison.OrdinalIgnoreCase))
        {
            throw new DocumentException(file.Path, 1, "An about topic starts with '# about_Name' and '## about_Name'.");
        }
        var text = new StringBuilder();
        for (var i = 0; i < blocks.Count; i++)
        {
            switch (blocks[i])
            {
                case HeadingBlock heading:
                    var title = file.HeadingText(heading);
                    if (i == 0) text.Append("TOPIC").Append(NewLine);
                    else if (heading.Level == 1) text.Append(title.ToUpperInvariant()).Append(NewLine);
                    else if (i == 1) text.Append(Indent).Append(title.ToLowerInvariant()).Append(NewLine).Append(NewLine);
                    else if (heading.Level == 2) text.Append(title).Append(NewLine);
                    else text.Append(Indent).Append(title.ToUpperInvariant()).Append(NewLine);
                    break;
                case FencedCodeBlock code:
                    foreach (var line in MarkdownFile.CodeText(code).Split('\n')) text.Append(Indent).Append(line).Append(NewLine);
                    text.Append(NewLine);
                    break;
                default:
                    // A run of text blocks, up to the next heading or code block.
                    var first = blocks[i];
                    var run = new List<Block>();
                    for (; i < blocks.Count && MarkdownFile.IsText(blocks[i]); i++) run.Add(blocks[i]);
                    i--;
                    var content = string.Join(NewLine, file.Paragraphs(run));
                    if (content.Length > width - 4)
                    {
                        Wrap(text, content, width, file, first);
                        text.Append(NewLine);
                    }
                    else
                    {
                        if (content.Contains(NewLine))
                        {
                            throw file.Error(first, $"This text is shorter than {width - 4} characters but has several paragraphs; platyPS indents only its first line. Lengthen it or split it with a heading or code block.");
                        }
                        text.Append(Indent).Append(content).Append(NewLine);
                    }
                    text.Append(NewLine);
                    break;
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
        var current = "";
        foreach (var word in content.Split(' '))
        {
            if (word.Contains(NewLine))
            {
                var parts = word.Split(new[] { NewLine }, StringSplitOptions.RemoveEmptyEntries);
                foreach (var part in parts)
                {
                    if (part == parts[^1]) { current += part + " "; continue; }
                    text.Append(Indent).Append(current + part).Append(NewLine);
                    current = "";
                }
            }
            else if (current.Length + word.Length > width - 4)
            {
                if (current.Length == 0) throw file.Error(at, $"The word '{word}' is longer than the about topic's width; platyPS fails on it. Put it in a code block.");
                text.Append(Indent).Append(current.EndsWith(' ') ? current[..^1] : current).Append(NewLine);
                current = word + " ";
            }
            else current += word + " ";
        }
        if (current.Length == 0 || current == " ") return;
        text.Append(Indent).Append(current.EndsWith(' ') ? current[..^1] : current);
    }
}
