<#
.SYNOPSIS
Writes FletSecret's help (FletSecret.dll-Help.xml and about_FletSecret.help.txt) from docs/en-US without platyPS.

.DESCRIPTION
A stand-in for platyPS 0.14's New-ExternalHelp, for machines where platyPS cannot be installed. It reads the
markdown help in the platyPS 0.14 schema (schema: 2.0.0) and writes what New-ExternalHelp writes from it:

- one MAML file per 'external help file' named in the front matter (FletSecret.dll-Help.xml): a helpItems
  element with one command:command per cmdlet page (*-*.md), with the same elements, attributes and text rules
  as platyPS's MamlRenderer, so Get-Help shows the same thing whichever tool made the file;
- one <name>.help.txt per about topic (a .md file whose second heading starts with 'about'), rendered like
  platyPS's TextRenderer: TOPIC, the topic name, headings and 4-space indented text wrapped at -MaxAboutWidth.

The module page (FletSecret.md, no '-' in its name) is skipped, as New-ExternalHelp skips it.

With -ParseOnly it writes nothing and returns one object per cmdlet page instead (see OUTPUTS), for tests that
compare the documentation with Get-Command.

The markdown it reads is the subset the FletSecret docs use; anything else stops it with an error that names
the file and line, rather than producing help that differs from platyPS's:

- Front matter: '---' lines around 'key: value' lines. 'external help file' names the MAML file,
  'online version' becomes the first related link ('Online Version:'), as platyPS does.
- Cmdlet page: '# Verb-Noun', then '##' sections SYNOPSIS, SYNTAX, DESCRIPTION, EXAMPLES, PARAMETERS, INPUTS,
  OUTPUTS, NOTES, RELATED LINKS (any order; upper or lower case).
- SYNOPSIS, DESCRIPTION, NOTES and each INPUTS/OUTPUTS '### TypeName' hold text only (no code blocks).
- SYNTAX: '### SetName' or '### SetName (Default)', each followed by one ``` block; a cmdlet with a single
  parameter set has one ``` block and no heading (returned as set '(All)'). As in platyPS the blocks are not
  used for the MAML (the syntax is rebuilt from the parameters' yaml); -ParseOnly returns them.
- EXAMPLES: '### Title', then one or more ``` blocks (joined with a blank line into the example's code), then
  the explanation as text. Text between the title and the first block is refused: platyPS drops it.
- PARAMETERS: '### -Name', its description (text; non-yaml ``` blocks are kept as text, as platyPS does), then
  one or more ```yaml blocks of 'Key: value' lines: Type, Parameter Sets, Aliases, Accepted values, Required,
  Position, Default value, Accept pipeline input, Accept wildcard characters (Applicable is refused). One block
  per distinct metadata; 'Parameter Sets: (All)' or a comma-separated list. '### CommonParameters' is
  recognised and its text ignored.
- RELATED LINKS: one '[text](uri)' per line. A uri that is not absolute (for example Other-Cmdlet.md) keeps
  its text and gets an empty maml:uri, as in platyPS.
- Text: lines of a paragraph are joined with a space; a blank line starts a new paragraph (a new maml:para);
  consecutive lines that start with '- ' (or '--') form a list whose items stay on their own lines (put a
  blank line before and after a list, one line per item). Backslash escapes \[ \] \( \) \` \< \> \_ \* \\
  are undone. Backticks are kept as they are.
- Refused in text, because platyPS splits the paragraph there and joins the pieces with extra spaces or drops
  the link target: [links](...), **bold**, *italic*, __bold__, _italic_ (an '_' that starts or ends a word
  pair, as platyPS's regexes see it), two trailing spaces (a hard break), a '#' or '```' that does not start
  a line, and setext headings (a line of === or ---). Write such text inside a ``` block instead.
- About topic: '# about_Name', '## about_Name', then '##' section headings (SHORT DESCRIPTION, LONG
  DESCRIPTION, ...), '###' subheadings (rendered indented and upper-case), text and ``` blocks. A text run
  (the text between two headings or blocks) that holds a line break should be longer than the wrap width, as
  platyPS indents only the first line of a short one; a word longer than the wrap width is refused (platyPS
  fails on it).

Works on Windows PowerShell 5.1 and PowerShell 7.4+.

.PARAMETER MarkdownPath
The folder with the markdown help (docs/en-US), or one .md file. Relative to the current location.

.PARAMETER OutputPath
The folder to write the help files into (created if missing), for example out/FletSecret/en-US.

.PARAMETER ParseOnly
Write nothing; return the parsed cmdlet pages.

.PARAMETER MaxAboutWidth
The width about topics are wrapped at, as New-ExternalHelp -MaxAboutWidth (default 80).

.PARAMETER PassThru
Return the files written, as System.IO.FileInfo objects.

.EXAMPLE
./tools/ConvertTo-FletSecretHelp.ps1 -MarkdownPath docs/en-US -OutputPath out/FletSecret/en-US

Writes out/FletSecret/en-US/FletSecret.dll-Help.xml and out/FletSecret/en-US/about_FletSecret.help.txt.

.EXAMPLE
$docs = ./tools/ConvertTo-FletSecretHelp.ps1 -MarkdownPath docs/en-US -ParseOnly
$docs | Where-Object Name -eq Protect-FletString | ForEach-Object Parameters | Select-Object Name, Aliases, ParameterSets

Lists what the documentation says about each parameter of Protect-FletString.

.OUTPUTS
With -PassThru, System.IO.FileInfo for each file written.
With -ParseOnly, one object per cmdlet page with the properties Name, Path, Metadata, Synopsis, Description,
Syntax (ParameterSetName, IsDefault, Code, ParameterNames), DefaultParameterSet, Parameters (Name, Type,
Aliases, Description, ParameterSets, Entries: one per yaml block with ParameterSets, Type, Aliases, Required,
Position, DefaultValue, PipelineInput, Globbing), SupportsCommonParameters, Inputs and Outputs (TypeName,
Description), Notes, Examples (Title, Code, Remarks) and RelatedLinks (Text, Uri). Text values are the text
that goes into the help, paragraphs separated by "`n".
#>
#Requires -Version 5.1
[CmdletBinding(DefaultParameterSetName = 'Convert')]
param(
    [Parameter(Mandatory = $true, Position = 0)]
    [string] $MarkdownPath,

    [Parameter(Mandatory = $true, Position = 1, ParameterSetName = 'Convert')]
    [string] $OutputPath,

    [Parameter(Mandatory = $true, ParameterSetName = 'Parse')]
    [switch] $ParseOnly,

    [Parameter(ParameterSetName = 'Convert')]
    [ValidateRange(80, 2147483647)]
    [int] $MaxAboutWidth = 80,

    [Parameter(ParameterSetName = 'Convert')]
    [switch] $PassThru
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$script:AllSets = '(All)'
$script:MamlNs = 'http://schemas.microsoft.com/maml/2004/10'
$script:CommandNs = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$script:DevNs = 'http://schemas.microsoft.com/maml/dev/2004/10'
$script:MsHelpNs = 'http://msdn.microsoft.com/mshelp'
$script:KnownYamlKeys = @('Type', 'Parameter Sets', 'Aliases', 'Accepted values', 'Required', 'Position',
    'Default value', 'Accept pipeline input', 'Accept wildcard characters')

function Stop-Markdown {
    param([string] $File, [int] $Line, [string] $Message)
    throw ('{0}:{1}: {2}' -f $File, $Line, $Message)
}

# ---------------------------------------------------------------------------------------------------------------
# Reading: front matter, then a flat list of nodes (Heading, Text, Code), like platyPS's MarkdownParser.
# ---------------------------------------------------------------------------------------------------------------

function Read-MarkdownDocument {
    param([string] $Path)

    $text = [System.IO.File]::ReadAllText($Path, [System.Text.Encoding]::UTF8)
    $text = $text.TrimStart([char]0xFEFF)
    $text = [regex]::Replace($text, "`r`n?", "`n").TrimStart()
    $lines = $text.Split("`n")

    $metadata = [ordered]@{}
    $start = 0
    if ($lines.Count -gt 0 -and $lines[0] -eq '---') {
        $end = -1
        for ($i = 1; $i -lt $lines.Count; $i++) {
            if ($lines[$i].StartsWith('---')) { $end = $i; break }
        }
        if ($end -lt 0) { Stop-Markdown $Path 1 'The front matter has no closing ---.' }
        for ($i = 1; $i -lt $end; $i++) {
            $entry = $lines[$i].Trim()
            if ($entry.Length -eq 0) { continue }
            $colon = $entry.IndexOf(':')
            if ($colon -lt 0) { Stop-Markdown $Path ($i + 1) "Front matter lines are 'key: value'; got '$entry'." }
            $metadata[$entry.Substring(0, $colon).Trim()] = $entry.Substring($colon + 1).Trim()
        }
        $start = $end + 1
    }

    $nodes = New-Object System.Collections.Generic.List[object]
    $run = New-Object System.Collections.Generic.List[string]
    $runStart = 0

    # A text run: every line between two headings or code blocks, blank lines included (platyPS keeps it whole).
    $flush = {
        $content = ($run -join "`n").Trim()
        if ($content.Length -gt 0) {
            $nodes.Add([pscustomobject]@{ Kind = 'Text'; Text = $content; Line = $runStart + 1; Level = 0; Language = '' })
        }
        $run.Clear()
    }

    $i = $start
    while ($i -lt $lines.Count) {
        $line = $lines[$i]
        if ($line.StartsWith('```')) {
            . $flush
            $language = ([regex]::Match($line.Substring(3), '^\w*')).Value
            if ($line.Substring(3 + $language.Length).Trim().Length -gt 0) {
                Stop-Markdown $Path ($i + 1) "A code fence is '``````' and a language name alone; got '$line'."
            }
            $open = $i
            $body = New-Object System.Collections.Generic.List[string]
            $i++
            while ($i -lt $lines.Count -and -not $lines[$i].StartsWith('```')) {
                if ($lines[$i].Contains('```')) { Stop-Markdown $Path ($i + 1) "'``````' inside a code block ends it early in platyPS." }
                $body.Add($lines[$i])
                $i++
            }
            if ($i -ge $lines.Count) { Stop-Markdown $Path ($open + 1) 'This code block is not closed.' }
            if ($lines[$i].Trim() -ne '```') { Stop-Markdown $Path ($i + 1) "A closing fence is '``````' alone; got '$($lines[$i])'." }
            # platyPS trims the block's text (so a first line's indentation is lost too).
            $nodes.Add([pscustomobject]@{ Kind = 'Code'; Text = ($body -join "`n").Trim(); Line = $open + 1; Level = 0; Language = $language })
            $i++
            $runStart = $i
            continue
        }
        $heading = [regex]::Match($line, '^(#+)[ ]*(.+?)[ ]*#*$')
        if ($heading.Success) {
            . $flush
            $nodes.Add([pscustomobject]@{ Kind = 'Heading'; Text = $heading.Groups[2].Value; Line = $i + 1; Level = $heading.Groups[1].Value.Length; Language = '' })
            $i++
            $runStart = $i
            continue
        }
        if ($line -match '^(==+|--+)[ ]*$' -and $run.Count -gt 0 -and $run[$run.Count - 1].Trim().Length -gt 0) {
            Stop-Markdown $Path ($i + 1) "A line of '=' or '-' under text is a setext heading in platyPS; use '#' headings."
        }
        if ($run.Count -eq 0) { $runStart = $i }
        $run.Add($line)
        $i++
    }
    . $flush

    [pscustomobject]@{ Path = $Path; Metadata = $metadata; Nodes = $nodes.ToArray() }
}

# Refuses what platyPS's span patterns would split a paragraph at (see the help above).
function Assert-PlainText {
    param([object] $Node, [string] $File)

    $lines = $Node.Text.Split("`n")
    for ($k = 0; $k -lt $lines.Count; $k++) {
        $line = $lines[$k]
        $where = $Node.Line + $k
        $checks = @(
            @('\[(.+?)\]\((.*)\)', 'a [link](...)'),
            @('\*\*(.+?)\*\*', '**bold**'),
            @('\*(.+?)\*', '*italic*'),
            @('(?<![a-zA-Z0-9])__(.+?)__(?![a-zA-Z0-9])', '__bold__'),
            @('(?<![a-zA-Z0-9])_(.+?)_(?![a-zA-Z0-9])', '_italic_')
        )
        foreach ($check in $checks) {
            $match = [regex]::Match($line, $check[0])
            if ($match.Success) {
                Stop-Markdown $File $where ("platyPS reads '{0}' as {1}, which changes the text; rephrase it or put it in a code block." -f $match.Value, $check[1])
            }
        }
        if ($line -match '[ ]{2}$' -and $k -lt $lines.Count - 1) {
            Stop-Markdown $File $where 'Two trailing spaces are a hard break in platyPS; remove them.'
        }
        if ($line.Contains('```')) {
            Stop-Markdown $File $where "'``````' inside text starts a code block in platyPS."
        }
    }
}

# The text platyPS puts into the help for a text run (MarkdownParser.UnwindMarkdownCharsEscaping):
# unescapes, joins a paragraph's lines with spaces, keeps list items on their own lines. Paragraphs are "`n"-separated.
function ConvertTo-HelpText {
    param([string] $Text)

    $text = $Text.Trim()
    foreach ($pair in @(@('\[', '['), @('\]', ']'), @('\(', '('), @('\)', ')'), @('\`', '`'), @('\<', '<'), @('\>', '>'),
            @('\_', '_'), @('\*', '*'), @('\\', '\'))) {
        $text = $text.Replace($pair[0], $pair[1])
    }

    $hasListPrefix = {
        param([string] $s)
        $s.Length -ge 2 -and (($s[0] -eq '-' -and $s[1] -eq '-') -or ($s[0] -eq '-' -and $s[1] -eq ' ') -or ($s[0] -eq '*' -and $s[1] -eq ' '))
    }

    $previous = 'foo'
    $inList = $false
    $builder = New-Object System.Text.StringBuilder
    $lines = $text.Split("`n")
    # The regex platyPS uses also matches once more, empty, at the very end; it only adds a trailing break.
    foreach ($line in $lines) {
        $g1 = $previous
        $g2 = $line
        $previous = $g2
        if ([string]::IsNullOrWhiteSpace($g2)) { [void]$builder.Append("`n"); continue }
        if ((& $hasListPrefix $g1) -and (& $hasListPrefix $g2)) {
            $inList = $true
            [void]$builder.Append("`n").Append($g2)
            continue
        }
        if ($inList) {
            $inList = $false
            $g2 = "`n" + $g2
        }
        [void]$builder.Append($g2).Append(' ')
    }
    $builder.ToString().Replace(" `n", "`n").Trim()
}

# ---------------------------------------------------------------------------------------------------------------
# Cmdlet pages: the model platyPS's ModelTransformerVersion2 builds.
# ---------------------------------------------------------------------------------------------------------------

function Read-CommandPage {
    param([object] $Document)

    $file = $Document.Path
    $nodes = $Document.Nodes

    if ($nodes.Count -eq 0 -or $nodes[0].Kind -ne 'Heading' -or $nodes[0].Level -ne 1) {
        Stop-Markdown $file 1 "A cmdlet page starts with '# Verb-Noun'."
    }
    $name = $nodes[0].Text
    $script:cursor = 1

    $command = [ordered]@{
        Name = $name; Path = $file; Metadata = $Document.Metadata
        Synopsis = $null; Description = $null; Notes = $null
        Syntax = New-Object System.Collections.Generic.List[object]
        Parameters = New-Object System.Collections.Generic.List[object]
        SupportsCommonParameters = $false
        Inputs = New-Object System.Collections.Generic.List[object]
        Outputs = New-Object System.Collections.Generic.List[object]
        Examples = New-Object System.Collections.Generic.List[object]
        RelatedLinks = New-Object System.Collections.Generic.List[object]
    }

    # The text right after a heading, if any (platyPS: SimpleTextSectionRule); nothing else may follow it.
    $readText = {
        param([object] $Heading)
        $text = ''
        if ($script:cursor -lt $nodes.Count -and $nodes[$script:cursor].Kind -eq 'Text') {
            $node = $nodes[$script:cursor]
            Assert-PlainText $node $file
            $text = ConvertTo-HelpText $node.Text
            $script:cursor++
        }
        if ($script:cursor -lt $nodes.Count -and $nodes[$script:cursor].Kind -ne 'Heading') {
            Stop-Markdown $file $nodes[$script:cursor].Line "Under '$($Heading.Text)' only text is allowed (platyPS fails on a code block here)."
        }
        $text
    }

    while ($script:cursor -lt $nodes.Count) {
        $section = $nodes[$script:cursor]
        $script:cursor++
        if ($section.Kind -ne 'Heading' -or $section.Level -ne 2) {
            Stop-Markdown $file $section.Line "Expected a '##' section heading."
        }
        switch ($section.Text.ToUpperInvariant()) {
            'SYNOPSIS' { $command.Synopsis = & $readText $section }
            'DESCRIPTION' { $command.Description = & $readText $section }
            'NOTES' { $command.Notes = & $readText $section }
            'SYNTAX' {
                while ($script:cursor -lt $nodes.Count) {
                    $node = $nodes[$script:cursor]
                    if ($node.Kind -eq 'Heading' -and $node.Level -lt 3) { break }
                    if ($node.Kind -eq 'Code') {
                        # A block without a heading: the cmdlet's only parameter set, as platyPS writes it.
                        $script:cursor++
                        $names = @([regex]::Matches($node.Text, '(?<=[\s\[])-([A-Za-z][A-Za-z0-9]*)') | ForEach-Object { $_.Groups[1].Value })
                        $command.Syntax.Add([pscustomobject]@{
                                ParameterSetName = $script:AllSets; IsDefault = $true; Code = $node.Text; ParameterNames = $names
                            })
                        continue
                    }
                    if ($node.Kind -ne 'Heading' -or $node.Level -ne 3) {
                        Stop-Markdown $file $node.Line "Under SYNTAX: '### SetName' followed by a code block."
                    }
                    $script:cursor++
                    $setName = $node.Text
                    $isDefault = $setName.EndsWith(' (Default)')
                    if ($isDefault) { $setName = $setName.Substring(0, $setName.Length - ' (Default)'.Length) }
                    $code = ''
                    if ($script:cursor -lt $nodes.Count -and $nodes[$script:cursor].Kind -eq 'Code') {
                        $code = $nodes[$script:cursor].Text
                        $script:cursor++
                    }
                    $names = @([regex]::Matches($code, '(?<=[\s\[])-([A-Za-z][A-Za-z0-9]*)') | ForEach-Object { $_.Groups[1].Value })
                    $command.Syntax.Add([pscustomobject]@{
                            ParameterSetName = $setName; IsDefault = $isDefault; Code = $code; ParameterNames = $names
                        })
                }
            }
            'EXAMPLES' {
                while ($script:cursor -lt $nodes.Count) {
                    $node = $nodes[$script:cursor]
                    if ($node.Kind -eq 'Heading' -and $node.Level -lt 3) { break }
                    if ($node.Kind -ne 'Heading' -or $node.Level -ne 3) {
                        Stop-Markdown $file $node.Line "Under EXAMPLES: '### Example N: title', code blocks, then the explanation."
                    }
                    $script:cursor++
                    if ($script:cursor -lt $nodes.Count -and $nodes[$script:cursor].Kind -eq 'Text') {
                        Stop-Markdown $file $nodes[$script:cursor].Line 'Text before the first code block of an example is dropped by platyPS; put it after the code.'
                    }
                    $blocks = New-Object System.Collections.Generic.List[string]
                    while ($script:cursor -lt $nodes.Count -and $nodes[$script:cursor].Kind -eq 'Code') {
                        $blocks.Add($nodes[$script:cursor].Text)
                        $script:cursor++
                    }
                    if ($blocks.Count -eq 0) { Stop-Markdown $file $node.Line "Example '$($node.Text)' has no code block." }
                    $remarks = & $readText $node
                    $command.Examples.Add([pscustomobject]@{ Title = $node.Text; Code = ($blocks -join "`n`n"); Remarks = $remarks })
                }
            }
            'PARAMETERS' {
                while ($script:cursor -lt $nodes.Count) {
                    $node = $nodes[$script:cursor]
                    if ($node.Kind -eq 'Heading' -and $node.Level -lt 3) { break }
                    if ($node.Kind -ne 'Heading' -or $node.Level -ne 3) {
                        Stop-Markdown $file $node.Line "Under PARAMETERS: '### -Name', its description, then yaml blocks."
                    }
                    $script:cursor++
                    $parameterName = $node.Text.TrimStart('-')

                    # Description: text and non-yaml code blocks, joined by a blank line (ParagraphOrCodeBlockNodeRule).
                    $parts = New-Object System.Collections.Generic.List[string]
                    $isCommon = $parameterName -eq 'CommonParameters'
                    while ($script:cursor -lt $nodes.Count) {
                        $part = $nodes[$script:cursor]
                        if ($part.Kind -eq 'Heading') { break }
                        if ($part.Kind -eq 'Code' -and $part.Language -eq 'yaml') { break }
                        if ($part.Kind -eq 'Text') {
                            if (-not $isCommon) { Assert-PlainText $part $file }
                            $parts.Add((ConvertTo-HelpText $part.Text))
                        }
                        else { $parts.Add($part.Text) }
                        $script:cursor++
                    }
                    if ($isCommon) {
                        $command.SupportsCommonParameters = $true
                        continue
                    }

                    $entries = New-Object System.Collections.Generic.List[object]
                    while ($script:cursor -lt $nodes.Count -and $nodes[$script:cursor].Kind -eq 'Code') {
                        $yamlNode = $nodes[$script:cursor]
                        $script:cursor++
                        if ($yamlNode.Language -ne 'yaml') {
                            Stop-Markdown $file $yamlNode.Line "Parameter -$parameterName`: only yaml blocks may follow its first yaml block."
                        }
                        $entries.Add((Read-ParameterYaml $yamlNode $file $parameterName))
                    }
                    if ($script:cursor -lt $nodes.Count -and $nodes[$script:cursor].Kind -ne 'Heading') {
                        Stop-Markdown $file $nodes[$script:cursor].Line "Parameter -$parameterName`: text after its yaml block(s) is not allowed."
                    }
                    if ($entries.Count -eq 0) { Stop-Markdown $file $node.Line "Parameter -$parameterName has no yaml block." }

                    $sets = New-Object System.Collections.Generic.List[string]
                    foreach ($entry in $entries) { foreach ($set in $entry.ParameterSets) { if (-not $sets.Contains($set)) { $sets.Add($set) } } }
                    $first = $entries[0]
                    $command.Parameters.Add([pscustomobject]@{
                            Name = $parameterName
                            Type = $first.Type
                            Aliases = $first.Aliases
                            Description = ($parts -join "`n`n")
                            ParameterSets = $sets.ToArray()
                            Entries = $entries.ToArray()
                        })
                }
            }
            { $_ -in 'INPUTS', 'OUTPUTS' } {
                if ($_ -eq 'INPUTS') { $list = $command.Inputs } else { $list = $command.Outputs }
                while ($script:cursor -lt $nodes.Count) {
                    $node = $nodes[$script:cursor]
                    if ($node.Kind -eq 'Heading' -and $node.Level -lt 3) { break }
                    if ($node.Kind -ne 'Heading' -or $node.Level -ne 3) {
                        Stop-Markdown $file $node.Line "Under $($section.Text): '### TypeName' and its description."
                    }
                    $script:cursor++
                    $list.Add([pscustomobject]@{ TypeName = $node.Text; Description = (& $readText $node) })
                }
            }
            'RELATED LINKS' {
                if ($script:cursor -lt $nodes.Count -and $nodes[$script:cursor].Kind -eq 'Text') {
                    $node = $nodes[$script:cursor]
                    $script:cursor++
                    $lines = $node.Text.Split("`n")
                    for ($k = 0; $k -lt $lines.Count; $k++) {
                        $line = $lines[$k].Trim()
                        if ($line.Length -eq 0) { continue }
                        $link = [regex]::Match($line, '^\[(.+?)\]\((.*)\)$')
                        if (-not $link.Success) { Stop-Markdown $file ($node.Line + $k) "RELATED LINKS holds one '[text](uri)' per line; got '$line'." }
                        $command.RelatedLinks.Add([pscustomobject]@{ Text = $link.Groups[1].Value; Uri = $link.Groups[2].Value })
                    }
                }
                if ($script:cursor -lt $nodes.Count -and $nodes[$script:cursor].Kind -ne 'Heading') {
                    Stop-Markdown $file $nodes[$script:cursor].Line 'RELATED LINKS holds links only.'
                }
            }
            default { Stop-Markdown $file $section.Line "Unknown section '$($section.Text)' (platyPS refuses it)." }
        }
    }

    $default = @($command.Syntax | Where-Object IsDefault)
    [pscustomobject]@{
        Name = $command.Name
        Path = $command.Path
        Metadata = $command.Metadata
        Synopsis = $command.Synopsis
        Description = $command.Description
        Syntax = $command.Syntax.ToArray()
        DefaultParameterSet = if ($default.Count -eq 1) { $default[0].ParameterSetName } else { $null }
        Parameters = $command.Parameters.ToArray()
        SupportsCommonParameters = $command.SupportsCommonParameters
        Inputs = $command.Inputs.ToArray()
        Outputs = $command.Outputs.ToArray()
        Notes = $command.Notes
        Examples = $command.Examples.ToArray()
        RelatedLinks = $command.RelatedLinks.ToArray()
    }
}

function Read-ParameterYaml {
    param([object] $Node, [string] $File, [string] $ParameterName)

    $pairs = @{}
    $lines = $Node.Text.Split("`n")
    for ($k = 0; $k -lt $lines.Count; $k++) {
        $line = $lines[$k].Trim()
        if ($line.Length -eq 0) { continue }
        $colon = $line.IndexOf(':')
        if ($colon -lt 0) { Stop-Markdown $File ($Node.Line + 1 + $k) "Parameter -$ParameterName`: yaml lines are 'Key: value'." }
        $key = $line.Substring(0, $colon).Trim()
        $value = $line.Substring($colon + 1).Trim()
        $known = @($script:KnownYamlKeys | Where-Object { $_ -eq $key })
        if ($known.Count -eq 0) { Stop-Markdown $File ($Node.Line + 1 + $k) "Parameter -$ParameterName`: unknown yaml key '$key'." }
        # Keys are case-insensitive; an empty value counts as absent.
        if ($value.Length -gt 0) { $pairs[$known[0]] = $value }
    }

    $split = {
        param([string] $Value)
        if ($null -eq $Value) { return , @() }
        , @($Value.Split(',') | ForEach-Object { $_.Trim() } | Where-Object { $_.Length -gt 0 })
    }

    $type = $pairs['Type']
    $sets = if ($pairs.ContainsKey('Parameter Sets')) { & $split $pairs['Parameter Sets'] } else { , @($script:AllSets) }
    [pscustomobject]@{
        Type = $type
        ParameterSets = $sets
        Aliases = (& $split $pairs['Aliases'])
        AcceptedValues = (& $split $pairs['Accepted values'])
        Required = ('' + $pairs['Required']) -eq 'true'
        Position = if ($pairs.ContainsKey('Position')) { $pairs['Position'] } else { 'named' }
        DefaultValue = $pairs['Default value']
        PipelineInput = if ($pairs.ContainsKey('Accept pipeline input')) { $pairs['Accept pipeline input'] } else { 'false' }
        Globbing = ('' + $pairs['Accept wildcard characters']) -eq 'true'
        IsSwitch = ('' + $type) -eq 'SwitchParameter' -or ('' + $type) -eq 'switch'
    }
}

# The syntax items platyPS builds: one per parameter set, in the order the sets first appear in the yaml;
# each with the parameters in that set (or in (All)), positional ones first (a stable sort on Position text).
function Get-SyntaxItem {
    param([object] $Command)

    $setNames = New-Object System.Collections.Generic.List[string]
    foreach ($parameter in $Command.Parameters) {
        foreach ($entry in $parameter.Entries) {
            foreach ($set in $entry.ParameterSets) {
                $known = @($setNames | Where-Object { $_ -eq $set })
                if ($known.Count -eq 0) { $setNames.Add($set) }
            }
        }
    }
    $named = @($setNames | Where-Object { $_ -ne $script:AllSets })
    if ($setNames.Count -eq 0) { return , @(, @()) }
    if ($named.Count -eq 0) { $named = @($script:AllSets) }

    $items = New-Object System.Collections.Generic.List[object]
    foreach ($set in $named) {
        $members = New-Object System.Collections.Generic.List[object]
        foreach ($parameter in $Command.Parameters) {
            $match = $null
            foreach ($entry in $parameter.Entries) {
                if (@($entry.ParameterSets | Where-Object { $_ -eq $set }).Count -gt 0) { $match = $entry }
            }
            if ($null -eq $match -and $parameter.Entries.Count -eq 1 -and @($parameter.Entries[0].ParameterSets).Count -eq 1 -and
                $parameter.Entries[0].ParameterSets[0] -eq $script:AllSets) {
                $match = $parameter.Entries[0]
            }
            if ($null -ne $match) { $members.Add([pscustomobject]@{ Parameter = $parameter; Entry = $match }) }
        }
        # Stable insertion sort by Position as text, as LINQ OrderBy with the default (culture) string comparer.
        $sorted = New-Object System.Collections.Generic.List[object]
        foreach ($member in $members) {
            $at = $sorted.Count
            while ($at -gt 0 -and [string]::Compare($sorted[$at - 1].Entry.Position, $member.Entry.Position, [System.StringComparison]::CurrentCulture) -gt 0) { $at-- }
            $sorted.Insert($at, $member)
        }
        $items.Add($sorted.ToArray())
    }
    , $items.ToArray()
}

# ---------------------------------------------------------------------------------------------------------------
# MAML, element for element as platyPS 0.14's MamlRenderer writes it.
# ---------------------------------------------------------------------------------------------------------------

function Write-Paragraphs {
    param([System.Xml.XmlWriter] $Writer, [string] $Text)
    if ($null -eq $Text) { return }
    foreach ($para in $Text.Split("`n")) {
        $Writer.WriteStartElement('maml', 'para', $script:MamlNs)
        $Writer.WriteString($para)
        $Writer.WriteFullEndElement()
    }
}

function Write-Description {
    param([System.Xml.XmlWriter] $Writer, [string] $Text)
    $Writer.WriteStartElement('maml', 'description', $script:MamlNs)
    Write-Paragraphs $Writer $Text
    $Writer.WriteEndElement()
}

function Format-ExampleTitle {
    param([string] $Title)
    if ([string]::IsNullOrWhiteSpace($Title) -or $Title.Length -ge 62) { return $Title }
    $pad = [int][math]::Floor((64 - $Title.Length - 2) / 2)
    ('-' * $pad) + ' ' + $Title + ' ' + ('-' * $pad)
}

function Write-MamlParameter {
    param([System.Xml.XmlWriter] $Writer, [object] $Parameter, [object] $Entry, [bool] $InSyntax)

    $type = if ($null -eq $Entry.Type) { '' } elseif ($Entry.IsSwitch) { 'SwitchParameter' } else { $Entry.Type }
    $Writer.WriteStartElement('command', 'parameter', $script:CommandNs)
    $Writer.WriteAttributeString('required', $Entry.Required.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('variableLength', 'true')
    $Writer.WriteAttributeString('globbing', $Entry.Globbing.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('pipelineInput', $Entry.PipelineInput)
    $Writer.WriteAttributeString('position', $Entry.Position.ToLowerInvariant())
    $aliases = if (@($Entry.Aliases).Count -gt 0) { @($Entry.Aliases) -join ', ' } else { 'none' }
    $Writer.WriteAttributeString('aliases', $aliases)

    $Writer.WriteElementString('name', $script:MamlNs, $Parameter.Name)
    Write-Description $Writer $Parameter.Description
    if ($InSyntax -and @($Entry.AcceptedValues).Count -gt 0) {
        $Writer.WriteStartElement('command', 'parameterValueGroup', $script:CommandNs)
        foreach ($value in $Entry.AcceptedValues) {
            $Writer.WriteStartElement('command', 'parameterValue', $script:CommandNs)
            $Writer.WriteAttributeString('required', 'false')
            $Writer.WriteAttributeString('command', 'variableLength', $script:CommandNs, 'false')
            $Writer.WriteString($value)
            $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }
    # Inside syntax a switch gets no parameterValue, so Get-Help shows [-Name] rather than [-Name <SwitchParameter>].
    if (-not $InSyntax -or -not $Entry.IsSwitch) {
        $Writer.WriteStartElement('command', 'parameterValue', $script:CommandNs)
        $Writer.WriteAttributeString('required', (-not $Entry.IsSwitch).ToString().ToLowerInvariant())
        $Writer.WriteAttributeString('variableLength', 'false')
        $Writer.WriteString($type)
        $Writer.WriteEndElement()
    }
    $Writer.WriteStartElement('dev', 'type', $script:DevNs)
    $Writer.WriteElementString('name', $script:MamlNs, $type)
    $Writer.WriteStartElement('maml', 'uri', $script:MamlNs)
    $Writer.WriteEndElement()
    $Writer.WriteEndElement()
    $default = $Entry.DefaultValue
    if ($Entry.IsSwitch -and ([string]::IsNullOrEmpty($default) -or $default -eq 'None')) { $default = 'False' }
    elseif ($null -eq $default) { $default = 'None' }
    $Writer.WriteElementString('defaultValue', $script:DevNs, $default)
    $Writer.WriteEndElement()
}

function Write-MamlCommand {
    param([System.Xml.XmlWriter] $Writer, [object] $Command)

    $Writer.WriteStartElement('command', 'command', $script:CommandNs)
    $Writer.WriteAttributeString('xmlns', 'maml', 'http://www.w3.org/2000/xmlns/', $script:MamlNs)
    $Writer.WriteAttributeString('xmlns', 'command', 'http://www.w3.org/2000/xmlns/', $script:CommandNs)
    $Writer.WriteAttributeString('xmlns', 'dev', 'http://www.w3.org/2000/xmlns/', $script:DevNs)
    $Writer.WriteAttributeString('xmlns', 'MSHelp', 'http://www.w3.org/2000/xmlns/', $script:MsHelpNs)

    $verb = $Command.Name.Split('-')[0]
    $noun = $Command.Name.Substring([math]::Min($verb.Length + 1, $Command.Name.Length))
    $Writer.WriteStartElement('command', 'details', $script:CommandNs)
    $Writer.WriteElementString('name', $script:CommandNs, $Command.Name)
    $Writer.WriteElementString('verb', $script:CommandNs, $verb)
    $Writer.WriteElementString('noun', $script:CommandNs, $noun)
    Write-Description $Writer $Command.Synopsis
    $Writer.WriteEndElement()

    Write-Description $Writer $Command.Description

    $Writer.WriteStartElement('command', 'syntax', $script:CommandNs)
    foreach ($item in (Get-SyntaxItem $Command)) {
        $Writer.WriteStartElement('command', 'syntaxItem', $script:CommandNs)
        $Writer.WriteElementString('name', $script:MamlNs, $Command.Name)
        foreach ($member in $item) { Write-MamlParameter $Writer $member.Parameter $member.Entry $true }
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'parameters', $script:CommandNs)
    foreach ($parameter in $Command.Parameters) { Write-MamlParameter $Writer $parameter $parameter.Entries[0] $false }
    $Writer.WriteEndElement()

    foreach ($io in @(@('inputTypes', 'inputType', $Command.Inputs), @('returnValues', 'returnValue', $Command.Outputs))) {
        $Writer.WriteStartElement('command', $io[0], $script:CommandNs)
        foreach ($entry in $io[2]) {
            $Writer.WriteStartElement('command', $io[1], $script:CommandNs)
            $Writer.WriteStartElement('dev', 'type', $script:DevNs)
            $Writer.WriteElementString('name', $script:MamlNs, $entry.TypeName)
            $Writer.WriteEndElement()
            Write-Description $Writer $entry.Description
            $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }

    $Writer.WriteStartElement('maml', 'alertSet', $script:MamlNs)
    $Writer.WriteStartElement('maml', 'alert', $script:MamlNs)
    Write-Paragraphs $Writer $Command.Notes
    $Writer.WriteEndElement()
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'examples', $script:CommandNs)
    foreach ($example in $Command.Examples) {
        $Writer.WriteStartElement('command', 'example', $script:CommandNs)
        $Writer.WriteElementString('title', $script:MamlNs, (Format-ExampleTitle $example.Title))
        $Writer.WriteElementString('code', $script:DevNs, $example.Code)
        $Writer.WriteStartElement('dev', 'remarks', $script:DevNs)
        Write-Paragraphs $Writer $example.Remarks
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'relatedLinks', $script:CommandNs)
    $links = New-Object System.Collections.Generic.List[object]
    foreach ($link in $Command.RelatedLinks) { $links.Add($link) }
    $online = $Command.Metadata['online version']
    if ($online -and ($links.Count -eq 0 -or $links[0].Uri -ne $online)) {
        $links.Insert(0, [pscustomobject]@{ Text = 'Online Version:'; Uri = $online })
    }
    foreach ($link in $links) {
        $uri = $null
        $absolute = if ([System.Uri]::TryCreate($link.Uri, [System.UriKind]::Absolute, [ref] $uri)) { $link.Uri } else { '' }
        $Writer.WriteStartElement('maml', 'navigationLink', $script:MamlNs)
        $Writer.WriteElementString('linkText', $script:MamlNs, $link.Text)
        $Writer.WriteStartElement('maml', 'uri', $script:MamlNs)
        $Writer.WriteString($absolute)
        $Writer.WriteFullEndElement()
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteEndElement()
}

function Save-Maml {
    param([string] $Path, [object[]] $Commands)

    $settings = New-Object System.Xml.XmlWriterSettings
    $settings.Indent = $true
    $settings.IndentChars = '  '
    $settings.Encoding = New-Object System.Text.UTF8Encoding($true)
    $settings.NewLineChars = [Environment]::NewLine
    $settings.NewLineHandling = [System.Xml.NewLineHandling]::Replace
    $writer = [System.Xml.XmlWriter]::Create($Path, $settings)
    try {
        $writer.WriteStartDocument()
        $writer.WriteStartElement('helpItems', 'http://msh')
        $writer.WriteAttributeString('schema', 'maml')
        foreach ($command in $Commands) { Write-MamlCommand $writer $command }
        $writer.WriteEndElement()
        $writer.WriteEndDocument()
    }
    finally {
        $writer.Close()
    }
}

# ---------------------------------------------------------------------------------------------------------------
# About topics, as platyPS 0.14's TextRenderer.
# ---------------------------------------------------------------------------------------------------------------

function Test-AboutDocument {
    param([object] $Document)
    $nodes = $Document.Nodes
    $nodes.Count -gt 1 -and $nodes[1].Text.Length -gt 5 -and $nodes[1].Text.Substring(0, 5).ToUpperInvariant() -eq 'ABOUT'
}

function ConvertTo-AboutText {
    param([object] $Document, [int] $Width)

    $indent = '    '
    $newLine = "`r`n"
    $builder = New-Object System.Text.StringBuilder
    $nodes = $Document.Nodes
    for ($n = 0; $n -lt $nodes.Count; $n++) {
        $node = $nodes[$n]
        switch ($node.Kind) {
            'Heading' {
                if ($n -eq 0) { [void]$builder.Append('TOPIC').Append($newLine) }
                elseif ($node.Level -eq 1) { [void]$builder.Append($node.Text.ToUpperInvariant()).Append($newLine) }
                elseif ($node.Level -eq 2 -and $n -eq 1) { [void]$builder.Append($indent).Append($node.Text.ToLowerInvariant()).Append($newLine).Append($newLine) }
                elseif ($node.Level -eq 2) { [void]$builder.Append($node.Text).Append($newLine) }
                else { [void]$builder.Append($indent).Append($node.Text.ToUpperInvariant()).Append($newLine) }
            }
            'Code' {
                foreach ($line in $node.Text.Split("`n")) { [void]$builder.Append($indent).Append($line).Append($newLine) }
                [void]$builder.Append($newLine)
            }
            'Text' {
                Assert-PlainText $node $Document.Path
                $content = (ConvertTo-HelpText $node.Text).Replace("`n", "`r`n")
                if ($content.Length -gt $Width - 4) {
                    Add-WrappedLine $builder $content $Width $indent $Document.Path $node.Line
                    [void]$builder.Append($newLine)
                }
                else {
                    if ($content.Contains("`r`n")) {
                        Write-Warning ('{0}:{1}: this text is shorter than {2} characters but has a line break; platyPS indents only its first line. Lengthen it or split it with a heading or code block.' -f $Document.Path, $node.Line, ($Width - 4))
                    }
                    [void]$builder.Append($indent).Append($content).Append($newLine)
                }
                [void]$builder.Append($newLine)
            }
        }
    }
    $text = $builder.ToString()
    $text = [regex]::Replace($text, "\u2018|\u2019|\u201b", "'")
    $text = [regex]::Replace($text, "\u201c|\u201d|\u201e|\u201f", '"')
    $text = [regex]::Replace($text, "\u05be|\u1806|\u2010|\u2011|\u00AD|\u2012|\u2013|\u2014|\u2015|\u2212", '-')
    [regex]::Replace($text, "\r\n?|\n", "`r`n")
}

# TextRenderer.WrapAndAppendLines: words are wrapped at Width - 4; a line break inside the text starts a new line.
function Add-WrappedLine {
    param([System.Text.StringBuilder] $Builder, [string] $Text, [int] $Width, [string] $Indent, [string] $File, [int] $Line)

    $current = ''
    foreach ($word in $Text.Split(' ')) {
        if ($word.Contains("`r`n")) {
            $parts = $word.Split([string[]]@("`r`n"), [System.StringSplitOptions]::RemoveEmptyEntries)
            foreach ($part in $parts) {
                if ($part -ceq $parts[$parts.Count - 1]) { $current += $part + ' ' }
                else {
                    $current += $part
                    [void]$Builder.Append($Indent).Append($current).Append("`r`n")
                    $current = ''
                }
            }
        }
        elseif ($current.Length + $word.Length -gt $Width - 4) {
            if ($current.Length -eq 0) {
                Stop-Markdown $File $Line "The word '$word' is longer than the about topic's width; platyPS fails on it. Put it in a code block."
            }
            if ($current.EndsWith(' ')) { $current = $current.Substring(0, $current.Length - 1) }
            [void]$Builder.Append($Indent).Append($current).Append("`r`n")
            $current = $word + ' '
        }
        else { $current += $word + ' ' }
    }
    if ($current.Length -eq 0 -or $current -eq ' ') { return }
    if ($current.EndsWith(' ')) { $current = $current.Substring(0, $current.Length - 1) }
    [void]$Builder.Append($Indent).Append($current)
}

# ---------------------------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------------------------

$source = (Resolve-Path -LiteralPath $MarkdownPath).ProviderPath
if (Test-Path -LiteralPath $source -PathType Container) {
    $files = @(Get-ChildItem -LiteralPath $source -Filter '*.md' | Sort-Object Name)
}
else {
    $files = @(Get-Item -LiteralPath $source)
}

$commandPages = New-Object System.Collections.Generic.List[object]
$aboutPages = New-Object System.Collections.Generic.List[object]
foreach ($file in $files) {
    if ($file.BaseName -like 'about_*') {
        $document = Read-MarkdownDocument $file.FullName
        if (Test-AboutDocument $document) { $aboutPages.Add($document) }
        else { Write-Warning "$($file.FullName) is named about_* but its second heading is not '## about_...'; skipped." }
    }
    elseif ($file.BaseName -like '*-*') {
        $commandPages.Add((Read-CommandPage (Read-MarkdownDocument $file.FullName)))
    }
    else {
        Write-Verbose "Skipping $($file.FullName): not a cmdlet page (no '-' in its name) nor an about topic."
    }
}

if ($ParseOnly) {
    $commandPages.ToArray()
    return
}

$target = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputPath)
$null = New-Item -ItemType Directory -Force -Path $target
$written = New-Object System.Collections.Generic.List[string]

$groups = $commandPages | Group-Object {
    $name = $_.Metadata['external help file']
    if (-not $name) { throw "$($_.Path): the front matter has no 'external help file'." }
    $name
}
foreach ($group in $groups) {
    $path = Join-Path $target $group.Name
    Save-Maml $path @($group.Group)
    Write-Verbose "Wrote $path ($($group.Count) cmdlet(s))."
    $written.Add($path)
}

foreach ($about in $aboutPages) {
    $name = [System.IO.Path]::GetFileNameWithoutExtension($about.Path) + '.help.txt'
    if (-not $name.StartsWith('about_', [System.StringComparison]::OrdinalIgnoreCase)) { $name = 'about_' + $name }
    $path = Join-Path $target $name
    [System.IO.File]::WriteAllText($path, (ConvertTo-AboutText $about $MaxAboutWidth), (New-Object System.Text.UTF8Encoding($true)))
    Write-Verbose "Wrote $path."
    $written.Add($path)
}

if ($PassThru) { foreach ($path in $written) { Get-Item -LiteralPath $path } }
