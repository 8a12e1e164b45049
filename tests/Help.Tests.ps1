BeforeAll {
    . "$PSScriptRoot/common.ps1"

    $script:DocsPath = Join-Path $RepoRoot 'docs/en-US'
    $script:Docs = @{}
    foreach ($page in Read-HelpDocs $DocsPath) { $Docs[$page.Name] = $page }

    $script:Module = Get-Module -Name FletSecret
    $script:HelpFolder = Join-Path $Module.ModuleBase 'en-US'
    $script:MamlPath = Join-Path $HelpFolder 'FletSecret.dll-Help.xml'
    # -WhatIf and -Confirm (the optional common parameters) are documented like a cmdlet's own, as platyPS does:
    # Get-Command lists them only for a cmdlet that supports ShouldProcess (Update-FletString).
    $script:CommonParameterNames = @([System.Management.Automation.PSCmdlet]::CommonParameters)
    $script:AllSetsMoniker = '(All)'
    $script:NoSetName = '__AllParameterSets'

    # Help text compared with the docs: white space runs count as one space (line breaks differ by platform).
    function Format-HelpText {
        param([object[]] $Text)
        ((@($Text) | Where-Object { $null -ne $_ }) -join ' ') -replace '\s+', ' ' -replace '^ | $', ''
    }

    # The type name platyPS writes for a parameter: Nullable<T> as T, generics in full, else the short name.
    function Get-DocTypeName {
        param([type] $Type)
        if ($Type.IsGenericType -and $Type.GetGenericTypeDefinition() -eq [System.Nullable`1]) { return $Type.GetGenericArguments()[0].Name }
        if ($Type.IsGenericType) { return $Type.ToString() }
        $Type.Name
    }

    function Get-OwnParameterName {
        param([System.Management.Automation.CommandInfo] $Command)
        @($Command.Parameters.Keys | Where-Object { $_ -notin $CommonParameterNames } | Sort-Object)
    }

    # The parameter set names the docs use for a cmdlet's sets ('(All)' for a cmdlet with no named set).
    function Get-DocSetName {
        param([System.Management.Automation.CommandInfo] $Command)
        @($Command.ParameterSets | ForEach-Object { if ($_.Name -eq $NoSetName) { $AllSetsMoniker } else { $_.Name } })
    }

    # The sets a yaml entry of the docs covers, with '(All)' spelled out.
    function Resolve-DocEntrySet {
        param([object] $Entry, [string[]] $AllSets)
        if (@($Entry.ParameterSets) -contains $AllSetsMoniker) { return $AllSets }
        @($Entry.ParameterSets)
    }

    # The yaml entry of a documented parameter that covers a set, or $null.
    function Get-DocEntry {
        param([object] $Parameter, [string] $SetName, [string[]] $AllSets)
        foreach ($entry in $Parameter.Entries) {
            if ((Resolve-DocEntrySet $entry $AllSets) -contains $SetName) { return $entry }
        }
        $null
    }

    function Get-ExampleTitle {
        param([string] $Title)
        $Title.Trim('-', ' ')
    }
}

BeforeDiscovery {
    . "$PSScriptRoot/common.ps1"
    $pages = Read-HelpDocs
    $CommandCases = @(foreach ($page in $pages) {
            @{
                Name = $page.Name
                ExampleCases = @(for ($i = 0; $i -lt $page.Examples.Count; $i++) {
                        @{ Name = $page.Name; Number = $i + 1; Title = $page.Examples[$i].Title }
                    })
            }
        })
}

Describe 'The documented cmdlets' {
    It 'are exactly the cmdlets the module exports' {
        $exported = @((Get-Command -Module FletSecret -CommandType Cmdlet).Name | Sort-Object)
        @($Docs.Keys | Sort-Object) -join ', ' | Should -Be ($exported -join ', ')
    }

    It 'are all listed on the module page' {
        $modulePage = Get-Content -Raw -LiteralPath (Join-Path $DocsPath 'FletSecret.md')
        foreach ($name in $Docs.Keys) { $modulePage | Should -Match ([regex]::Escape("### [$name]($name.md)")) }
    }
}

Describe 'Get-Help <Name>' -ForEach $CommandCases {
    BeforeAll {
        $Command = Get-Command -Name $Name
        $Doc = $Docs[$Name]
        $Help = Get-Help -Name $Name -Full
    }

    It 'reads the MAML file installed with the module' {
        Test-Path -LiteralPath $MamlPath | Should -BeTrue
        Split-Path -Leaf $Command.HelpFile | Should -Be 'FletSecret.dll-Help.xml'
        # Without the file Get-Help makes up help from the cmdlet: no description, and the syntax as synopsis.
        $Help.description | Should -Not -BeNullOrEmpty
    }

    It 'shows the synopsis of the docs' {
        Format-HelpText $Help.Synopsis | Should -Be (Format-HelpText $Doc.Synopsis)
    }

    It 'shows the description of the docs' {
        Format-HelpText @($Help.description).Text | Should -Be (Format-HelpText $Doc.Description)
    }

    It 'shows one syntax per parameter set' {
        @($Help.syntax.syntaxItem).Count | Should -Be @($Command.ParameterSets).Count
    }

    It 'describes every parameter of the cmdlet' {
        $undescribed = foreach ($parameter in Get-OwnParameterName $Command) {
            $entry = @($Help.parameters.parameter | Where-Object { $_.name -eq $parameter })
            if ($entry.Count -ne 1 -or -not (Format-HelpText @($entry[0].description).Text)) { $parameter }
        }
        $undescribed | Should -BeNullOrEmpty -Because 'every parameter needs a description in the help'
    }

    It 'answers Get-Help -Parameter for every parameter' {
        foreach ($parameter in Get-OwnParameterName $Command) {
            $help = Get-Help -Name $Name -Parameter $parameter
            $help.name | Should -Be $parameter
            Format-HelpText @($help.description).Text | Should -Not -BeNullOrEmpty
        }
    }

    It 'shows every example of the docs, with the same titles' {
        $titles = @($Help.examples.example | ForEach-Object { Get-ExampleTitle $_.title })
        $titles.Count | Should -Be $Doc.Examples.Count
        $titles | Should -Be @($Doc.Examples.Title)
    }

    It 'shows example <Number> with its code and explanation: <Title>' -ForEach $ExampleCases {
        $example = @($Help.examples.example)[$Number - 1]
        Get-ExampleTitle $example.title | Should -Be $Title
        $example.code | Should -Not -BeNullOrEmpty
        Format-HelpText $example.code | Should -Be (Format-HelpText $Doc.Examples[$Number - 1].Code)
        Format-HelpText @($example.remarks).Text | Should -Be (Format-HelpText $Doc.Examples[$Number - 1].Remarks)
        Format-HelpText @($example.remarks).Text | Should -Not -BeNullOrEmpty
    }

    It 'shows the inputs and outputs of the docs' {
        @($Help.inputTypes.inputType | ForEach-Object { $_.type.name }) | Should -Be @($Doc.Inputs.TypeName)
        @($Help.returnValues.returnValue | ForEach-Object { $_.type.name }) | Should -Be @($Doc.Outputs.TypeName)
        foreach ($io in @($Help.inputTypes.inputType) + @($Help.returnValues.returnValue)) {
            Format-HelpText @($io.description).Text | Should -Not -BeNullOrEmpty
        }
    }

    It 'shows the notes of the docs' {
        Format-HelpText @($Help.alertSet.alert).Text | Should -Be (Format-HelpText $Doc.Notes)
        Format-HelpText @($Help.alertSet.alert).Text | Should -Not -BeNullOrEmpty
    }

    It 'links to the online version first, then to the related links of the docs' {
        $links = @($Help.relatedLinks.navigationLink)
        $links[0].uri | Should -Be $Doc.Metadata['online version']
        @($links | Select-Object -Skip 1 | ForEach-Object linkText) | Should -Be @($Doc.RelatedLinks.Text)
    }
}

Describe 'Docs and Get-Command agree on <Name>' -ForEach $CommandCases {
    BeforeAll {
        $Command = Get-Command -Name $Name
        $Doc = $Docs[$Name]
        $AllSets = Get-DocSetName $Command
    }

    It 'documents every parameter, and no other' {
        @($Doc.Parameters.Name | Sort-Object) -join ', ' | Should -Be ((Get-OwnParameterName $Command) -join ', ')
    }

    It 'documents CommonParameters' {
        $Doc.SupportsCommonParameters | Should -BeTrue
    }

    It 'documents the parameter sets in SYNTAX, and the default one' {
        @($Doc.Syntax.ParameterSetName | Sort-Object) -join ', ' | Should -Be (@($AllSets | Sort-Object) -join ', ')
        if ($Command.ParameterSets.Count -eq 1 -and $Command.ParameterSets[0].Name -eq $NoSetName) {
            $Doc.DefaultParameterSet | Should -Be $AllSetsMoniker
        }
        else {
            $Doc.DefaultParameterSet | Should -Be $Command.DefaultParameterSet
        }
    }

    It 'lists in each SYNTAX block the parameters of its set' {
        foreach ($syntax in $Doc.Syntax) {
            $setName = if ($syntax.ParameterSetName -eq $AllSetsMoniker) { $NoSetName } else { $syntax.ParameterSetName }
            $set = $Command.ParameterSets | Where-Object Name -eq $setName
            $expected = @($set.Parameters.Name | Where-Object { $_ -notin $CommonParameterNames } | Sort-Object) -join ', '
            @($syntax.ParameterNames | Sort-Object) -join ', ' | Should -Be $expected -Because "SYNTAX '$($syntax.ParameterSetName)' should match the set"
        }
    }

    It 'documents the aliases of each parameter' {
        foreach ($parameter in $Doc.Parameters) {
            $actual = @($Command.Parameters[$parameter.Name].Aliases | Sort-Object) -join ', '
            foreach ($entry in $parameter.Entries) {
                @($entry.Aliases | Sort-Object) -join ', ' | Should -Be $actual -Because "-$($parameter.Name) has these aliases"
            }
        }
    }

    It 'documents the parameter sets each parameter is in' {
        foreach ($parameter in $Doc.Parameters) {
            $keys = @($Command.Parameters[$parameter.Name].ParameterSets.Keys)
            $actual = if ($keys -contains $NoSetName) { $AllSets } else { $keys }
            $documented = foreach ($entry in $parameter.Entries) { Resolve-DocEntrySet $entry $AllSets }
            @($documented | Sort-Object -Unique) -join ', ' | Should -Be (@($actual | Sort-Object) -join ', ') -Because "-$($parameter.Name) is in these sets"
        }
    }

    It 'documents the type, Mandatory, Position and pipeline input of each parameter in each set' {
        foreach ($set in $Command.ParameterSets) {
            $setName = if ($set.Name -eq $NoSetName) { $AllSetsMoniker } else { $set.Name }
            foreach ($parameter in $set.Parameters | Where-Object { $_.Name -notin $CommonParameterNames }) {
                $because = "-$($parameter.Name) in set $setName"
                $docParameter = $Doc.Parameters | Where-Object Name -eq $parameter.Name
                $entry = Get-DocEntry $docParameter $setName $AllSets
                $entry | Should -Not -BeNullOrEmpty -Because "$because needs a yaml block"

                $entry.Type | Should -Be (Get-DocTypeName $parameter.ParameterType) -Because $because
                $entry.Required | Should -Be $parameter.IsMandatory -Because $because
                $position = if ($parameter.Position -eq [int]::MinValue) { 'Named' } else { [string]$parameter.Position }
                $entry.Position | Should -Be $position -Because $because

                $byValue = $entry.PipelineInput -match '^True\b.*\bByValue\b'
                $byPropertyName = $entry.PipelineInput -match '^True\b.*\bByPropertyName\b'
                $byValue | Should -Be $parameter.ValueFromPipeline -Because "$because (ByValue)"
                $byPropertyName | Should -Be $parameter.ValueFromPipelineByPropertyName -Because "$because (ByPropertyName)"
                if (-not ($parameter.ValueFromPipeline -or $parameter.ValueFromPipelineByPropertyName)) {
                    $entry.PipelineInput | Should -Be 'False' -Because $because
                }
            }
        }
    }

    It 'documents the output types that the cmdlet declares' {
        $declared = @($Command.OutputType.Name | Sort-Object -Unique) -join ', '
        @($Doc.Outputs.TypeName | Sort-Object -Unique) -join ', ' | Should -Be $declared
    }

    It 'documents inputs when a parameter takes pipeline input' {
        $piped = @($Command.Parameters.Values | Where-Object {
                $_.Name -notin $CommonParameterNames -and
                @($_.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and ($_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName) }).Count -gt 0
            })
        if ($piped.Count -gt 0) { @($Doc.Inputs).Count | Should -BeGreaterThan 0 }
    }
}

Describe 'about_FletSecret' {
    BeforeAll {
        $AboutText = (Get-Help -Name about_FletSecret | Out-String)
        $AboutMarkdown = Get-Content -Raw -LiteralPath (Join-Path $DocsPath 'about_FletSecret.md')
    }

    It 'is installed next to the MAML' {
        Test-Path -LiteralPath (Join-Path $HelpFolder 'about_FletSecret.help.txt') | Should -BeTrue
    }

    It 'is shown by Get-Help about_FletSecret' {
        $AboutText | Should -Match 'about_FletSecret'
        $AboutText | Should -Match 'SHORT DESCRIPTION'
        $AboutText | Should -Match 'LONG DESCRIPTION'
    }

    It 'shows the token format section' {
        $AboutText | Should -Match 'TOKEN FORMAT'
        $AboutText | Should -Match 'PBKDF2-HMAC-SHA256'
        $AboutText | Should -Match '600000'
        $AboutText | Should -Match '100000'
    }

    It 'shows every section of the markdown' {
        $headings = [regex]::Matches($AboutMarkdown, '(?m)^#{2,3} (.+?)\s*$') | ForEach-Object { $_.Groups[1].Value } |
            Where-Object { $_ -notlike 'about_*' }
        $headings | Should -Not -BeNullOrEmpty
        foreach ($heading in $headings) { $AboutText | Should -Match ([regex]::Escape($heading.ToUpperInvariant())) }
    }

    It 'names every error id of the cmdlets' {
        $ids = 'KeyNotFound', 'KeyEnvironmentVariableNotFound', 'KeyEnvironmentVariableEmpty', 'KeyEmpty', 'KeyDisposed', 'KeyFileNotFound',
            'KeyFileUnreadable', 'KeyFileEmpty', 'KeyFileTooLarge', 'KeyFileNotRegular', 'KeyFileNotFileSystemPath',
            'KeyEnvironmentVariableNameInvalid', 'InvalidKeyText', 'InvalidText', 'InputTooLarge',
            'InvalidToken', 'AuthenticationFailed', 'TokenExpired', 'TokenFromFuture', 'NotUtf8Text', 'NoTimestamp', 'NullInput', 'InvalidInput',
            'NewKeyMissing', 'NewKeyConflict', 'KeyConflict', 'FileNotFound', 'NotFileSystemPath', 'PathIsDirectory', 'NotRegularFile', 'FileUnreadable',
            'FileUnwritable', 'FileChanged'
        foreach ($id in $ids) { $AboutText | Should -Match "\b$id\b" }
    }
}

Describe 'The MAML file' {
    BeforeAll {
        $Maml = New-Object System.Xml.XmlDocument
        $Maml.Load($MamlPath)
        $Ns = New-Object System.Xml.XmlNamespaceManager($Maml.NameTable)
        $Ns.AddNamespace('msh', 'http://msh')
        $Ns.AddNamespace('maml', 'http://schemas.microsoft.com/maml/2004/10')
        $Ns.AddNamespace('command', 'http://schemas.microsoft.com/maml/dev/command/2004/10')
        $Ns.AddNamespace('dev', 'http://schemas.microsoft.com/maml/dev/2004/10')
    }

    It 'is well-formed XML with a helpItems root of schema maml' {
        $Maml.DocumentElement.LocalName | Should -Be 'helpItems'
        $Maml.DocumentElement.NamespaceURI | Should -Be 'http://msh'
        $Maml.DocumentElement.GetAttribute('schema') | Should -Be 'maml'
    }

    It 'has one command:command per documented cmdlet' {
        $names = @($Maml.SelectNodes('/msh:helpItems/command:command/command:details/command:name', $Ns) | ForEach-Object InnerText)
        @($names | Sort-Object) -join ', ' | Should -Be (@($Docs.Keys | Sort-Object) -join ', ')
    }

    It 'gives <Name> the elements Get-Help reads' -ForEach $CommandCases {
        $node = $Maml.SelectSingleNode("/msh:helpItems/command:command[command:details/command:name='$Name']", $Ns)
        $node | Should -Not -BeNullOrEmpty
        $verb, $noun = $Name -split '-', 2
        $node.SelectSingleNode('command:details/command:verb', $Ns).InnerText | Should -Be $verb
        $node.SelectSingleNode('command:details/command:noun', $Ns).InnerText | Should -Be $noun
        foreach ($path in 'command:details/maml:description/maml:para', 'maml:description/maml:para',
            'command:syntax/command:syntaxItem/maml:name', 'command:parameters/command:parameter',
            'command:inputTypes/command:inputType/dev:type/maml:name', 'command:returnValues/command:returnValue/dev:type/maml:name',
            'maml:alertSet/maml:alert/maml:para', 'command:examples/command:example/maml:title',
            'command:examples/command:example/dev:code', 'command:examples/command:example/dev:remarks/maml:para',
            'command:relatedLinks/maml:navigationLink/maml:linkText') {
            $node.SelectNodes($path, $Ns).Count | Should -BeGreaterThan 0 -Because "$Name needs $path"
        }
        $node.SelectNodes('command:syntax/command:syntaxItem', $Ns).Count | Should -Be @((Get-Command $Name).ParameterSets).Count
        $node.SelectNodes('command:examples/command:example', $Ns).Count | Should -Be $Docs[$Name].Examples.Count
    }

    It 'describes each parameter of <Name> with the attributes and elements Get-Help reads' -ForEach $CommandCases {
        $parameters = $Maml.SelectNodes("/msh:helpItems/command:command[command:details/command:name='$Name']//command:parameter", $Ns)
        $parameters.Count | Should -BeGreaterThan 0
        foreach ($parameter in $parameters) {
            foreach ($attribute in 'required', 'variableLength', 'globbing', 'pipelineInput', 'position', 'aliases') {
                $parameter.HasAttribute($attribute) | Should -BeTrue -Because "a parameter needs the attribute $attribute"
            }
            $parameter.SelectSingleNode('maml:name', $Ns).InnerText | Should -Not -BeNullOrEmpty
            $parameter.SelectNodes('maml:description/maml:para', $Ns).Count | Should -BeGreaterThan 0
            $parameter.SelectSingleNode('dev:type/maml:name', $Ns).InnerText | Should -Not -BeNullOrEmpty
            $parameter.SelectSingleNode('dev:defaultValue', $Ns) | Should -Not -BeNullOrEmpty
            $isSwitch = $parameter.SelectSingleNode('dev:type/maml:name', $Ns).InnerText -eq 'SwitchParameter'
            $inSyntax = $parameter.ParentNode.LocalName -eq 'syntaxItem'
            if (-not ($inSyntax -and $isSwitch)) {
                $parameter.SelectSingleNode('command:parameterValue', $Ns) | Should -Not -BeNullOrEmpty
            }
        }
    }

    It 'puts in each syntaxItem of <Name> the parameters of one parameter set' -ForEach $CommandCases {
        $command = Get-Command -Name $Name
        $sets = @($command.ParameterSets | ForEach-Object {
                @($_.Parameters.Name | Where-Object { $_ -notin $CommonParameterNames } | Sort-Object) -join ', '
            })
        $items = $Maml.SelectNodes("/msh:helpItems/command:command[command:details/command:name='$Name']/command:syntax/command:syntaxItem", $Ns)
        $seen = foreach ($item in $items) {
            $names = @($item.SelectNodes('command:parameter/maml:name', $Ns) | ForEach-Object InnerText | Sort-Object) -join ', '
            $sets | Should -Contain $names
            $names
        }
        @($seen | Sort-Object -Unique).Count | Should -Be $sets.Count
    }
}

Describe 'The help compiler (tools/HelpCompiler)' {
    BeforeAll {
        # Compiles a copy of docs/en-US in which Get-FletTokenInfo.md has one change. The compiler must refuse it and
        # write no help; returns its message and where the changed text is ('file:line'), which the message must start with.
        function Get-CompileError([string] $Pattern, [string] $Replacement, [string] $Marker) {
            $folder = Join-Path $TestDrive ([guid]::NewGuid())
            Copy-Item -LiteralPath $DocsPath -Destination $folder -Recurse
            $file = Join-Path $folder 'Get-FletTokenInfo.md'
            $page = [System.IO.File]::ReadAllText($file)
            $changed = $page -replace $Pattern, $Replacement
            $changed | Should -Not -Be $page -Because 'the change must apply to the page'
            [System.IO.File]::WriteAllText($file, $changed)
            $out = Join-Path $folder 'out'
            $result = Invoke-HelpCompiler -DocsPath $folder -Arguments @('--out', $out)
            $result.ExitCode | Should -Be 1 -Because "the compiler must refuse the changed page ($($result.Error))"
            Test-Path -LiteralPath $out | Should -BeFalse -Because 'a refused page leaves no help behind'
            $lines = $changed -split '\r?\n'
            $line = [array]::FindIndex($lines, [Predicate[string]] { param($l) $l.Contains($Marker) }) + 1
            $line | Should -BeGreaterThan 0 -Because "the changed page holds '$Marker'"
            [pscustomobject]@{ Message = $result.Error.Trim(); Location = "${file}:${line}" }
        }
    }

    It 'writes valid MAML and the about topic from docs/en-US' {
        $out = Join-Path $TestDrive 'help'
        $result = Invoke-HelpCompiler -DocsPath $DocsPath -Arguments @('--out', $out)
        $result.ExitCode | Should -Be 0 -Because $result.Error
        $xml = New-Object System.Xml.XmlDocument
        $xml.Load((Join-Path $out 'FletSecret.dll-Help.xml'))
        $xml.DocumentElement.LocalName | Should -Be 'helpItems'
        Get-Content -Raw -LiteralPath (Join-Path $out 'about_FletSecret.help.txt') | Should -Match '(?m)^TOPIC'
    }

    It 'wrote the installed help, unless platyPS did' -Skip:([bool](Get-Module -ListAvailable -Name platyPS)) {
        $out = Join-Path $TestDrive 'installed'
        $result = Invoke-HelpCompiler -DocsPath $DocsPath -Arguments @('--out', $out)
        $result.ExitCode | Should -Be 0 -Because $result.Error
        foreach ($file in 'FletSecret.dll-Help.xml', 'about_FletSecret.help.txt') {
            $expected = [System.IO.File]::ReadAllText((Join-Path $out $file))
            $installed = [System.IO.File]::ReadAllText((Join-Path $HelpFolder $file))
            $installed -eq $expected | Should -BeTrue -Because "out/FletSecret/en-US/$file should be rebuilt from the docs (./build.ps1 -Task Build)"
        }
    }

    It 'refuses markdown that platyPS would render differently' {
        $refused = Get-CompileError -Pattern '(?m)^(The `Get-FletTokenInfo` cmdlet reads)' -Replacement 'The **bold** cmdlet reads' -Marker '**bold**'
        $refused.Message | Should -BeLike '*bold*'
        $refused.Message.StartsWith("$($refused.Location): ") | Should -BeTrue -Because $refused.Message
    }

    It 'refuses an example whose explanation comes before its code' {
        $refused = Get-CompileError -Pattern '(?m)^(### Example 1: Inspect one token)\r?\n' -Replacement "`$1`nAn introduction.`n`n" -Marker 'An introduction.'
        $refused.Message | Should -BeLike '*before the first code block*'
        $refused.Message.StartsWith("$($refused.Location): ") | Should -BeTrue -Because $refused.Message
    }

    It 'refuses a section heading that is not in the schema, naming its file and line' {
        $refused = Get-CompileError -Pattern '(?m)^## NOTES' -Replacement '## REMARKS' -Marker '## REMARKS'
        $refused.Message | Should -Be "$($refused.Location): Unknown section 'REMARKS'; a cmdlet page has the sections SYNOPSIS, SYNTAX, DESCRIPTION, EXAMPLES, PARAMETERS, INPUTS, OUTPUTS, NOTES, RELATED LINKS."
    }

    It 'refuses a parameter that the cmdlet does not have, naming its file and line' {
        $refused = Get-CompileError -Pattern '(?m)^### -InputObject' -Replacement '### -InputObjects' -Marker '### -InputObjects'
        $refused.Message | Should -Be "$($refused.Location): Get-FletTokenInfo has no parameter -InputObjects (its parameters: -InputObject)."
    }

    It 'refuses a page without one of the sections' {
        $refused = Get-CompileError -Pattern '(?s)## NOTES.*?(?=## RELATED LINKS)' -Replacement '' -Marker '# Get-FletTokenInfo'
        $refused.Message | Should -Be "$($refused.Location): The page has no section '## NOTES'."
    }

    It 'refuses a parameter set that the parameter is not in' {
        $refused = Get-CompileError -Pattern 'Parameter Sets: \(All\)' -Replacement 'Parameter Sets: ByToken' -Marker 'Parameter Sets: ByToken'
        $refused.Message | Should -Be "$($refused.Location): Parameter -InputObject is not in the parameter set 'ByToken' (its sets: (All))."
    }
}
