# PowerShell conventions (issue 17, point 14): formatting, completion, aliases, plain test output and the import
# guard for PowerShell below 7.4.
BeforeAll {
    . "$PSScriptRoot/common.ps1"
    $script:BadToken = 'gAAAA-not-a-token'
}

Describe 'Get-FletTokenInfo output reads well' {
    BeforeAll {
        $key = New-TestKey
        $script:Infos = @(Protect-FletString 'sample' -Key $key -Iterations 1) + $BadToken | Get-FletTokenInfo
        $script:Problem = $Infos[1].Problem
        function Get-Squeezed([string] $Text) { $Text -replace '\s+', '' } # wrapping may break inside a word
    }

    It 'ships a format file that the manifest lists' {
        $manifest = Import-PowerShellDataFile -LiteralPath $ModuleManifest
        $manifest.FormatsToProcess | Should -Be 'FletSecret.Format.ps1xml'
        Join-Path (Split-Path $ModuleManifest) 'FletSecret.Format.ps1xml' | Should -Exist
    }

    It 'shows the whole Problem in a table, wrapped rather than cut' {
        $Problem | Should -Not -BeNullOrEmpty
        $table = $Infos | Format-Table | Out-String -Width 120
        $table | Should -Not -Match '\.\.\.|…'
        Get-Squeezed $table | Should -Match ([regex]::Escape((Get-Squeezed $Problem)))
        $table | Should -Match 'IsValid\s+Algorithm\s+Timestamp\s+Age\s+Plaintext\s+Salt\s+Problem'
        $table | Should -Match ([regex]::Escape($Infos[0].Salt))
    }

    It 'shows every property in a list, the time in UTC and the age in whole seconds' {
        $list = $Infos[0] | Format-List | Out-String -Width 120
        foreach ($name in 'Token', 'IsValid', 'Problem', 'Algorithm', 'Salt', 'Nonce', 'Timestamp', 'Age', 'CiphertextLength', 'MinPlaintextLength', 'MaxPlaintextLength') {
            $list | Should -Match "(?m)^$name\s*:"
        }
        $list | Should -Match '(?m)^Timestamp\s*: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ'
        $list | Should -Match '(?m)^Age\s*: \d\d:\d\d:\d\d\s*$'
        Get-Squeezed ($Infos[1] | Format-List | Out-String -Width 80) | Should -Match ([regex]::Escape((Get-Squeezed $Problem)))
    }
}

Describe 'Parameters' {
    It 'completes -<Parameter> of <Command> with 600000 and 100000, not file names' -ForEach @(
        @{ Command = 'Protect-FletString'; Parameter = 'Iterations' }, @{ Command = 'Unprotect-FletString'; Parameter = 'Iterations' }
        @{ Command = 'Update-FletString'; Parameter = 'Iterations' }, @{ Command = 'Update-FletString'; Parameter = 'NewIterations' }
    ) {
        $line = "$Command -$Parameter "
        $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
        $completions.CompletionText | Should -Be '600000', '100000'
        $completions[1].ToolTip | Should -Match '0.27.4'
        $line = "$Command -$Parameter 1"
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be '100000'
    }

    It 'accepts -SecureKey, the name ConvertTo-SecureString uses, as an alias of -Key on <Command>' -ForEach @(
        @{ Command = 'Protect-FletString' }, @{ Command = 'Unprotect-FletString' }, @{ Command = 'Update-FletString' }
    ) {
        (Get-Command $Command).Parameters['Key'].Aliases | Should -Contain 'SecureKey'
        $key = New-TestKey
        $token = Protect-FletString 'alias' -SecureKey $key -Iterations 1
        if ($Command -eq 'Update-FletString') { $token = Update-FletString $token -SecureKey $key -Iterations 1 -NewKey $key -NewIterations 2 }
        Unprotect-FletString $token -SecureKey $key -Iterations ($(if ($Command -eq 'Update-FletString') { 2 } else { 1 })) | Should -Be 'alias'
    }
}

Describe 'Test output written to a file' {
    It 'carries no colour escape codes when tools/Invoke-PesterTests.ps1 writes to a pipe' {
        $pester = Get-Module -Name Pester | Sort-Object Version -Descending | Select-Object -First 1
        if (-not $pester) { Set-ItResult -Skipped -Because 'these tests do not run under Pester'; return }
        $folder = Join-Path $TestDrive 'tiny'
        $null = New-Item -ItemType Directory -Path $folder
        Set-Content -LiteralPath (Join-Path $folder 'Tiny.Tests.ps1') -Value "Describe 'tiny' { It 'passes' { 1 | Should -Be 1 } }"
        $runner = Join-Path $RepoRoot 'tools/Invoke-PesterTests.ps1'
        $script = "& '$runner' -PesterManifest '$($pester.Path)' -TestPath '$folder' -SummaryPath '$(Join-Path $folder 'out/summary.json')'"
        # Not CI: the plain output must come from the redirection alone.
        $child = Invoke-ChildPwsh -Script $script -Environment @{ CI = 'false' }
        $child.Output | Should -Match 'Tests Passed: 1'
        $child.Output | Should -Not -Match ([regex]::Escape([string][char]27))
    }
}

Describe 'Importing on PowerShell 6.0 to 7.3' {
    It 'says which PowerShell is needed for <Version>' -ForEach @(
        @{ Version = '7.3.12'; Refused = $true }, @{ Version = '7.0.0'; Refused = $true }, @{ Version = '6.2.7'; Refused = $true }
        @{ Version = '7.4.0'; Refused = $false }, @{ Version = '7.6.0'; Refused = $false }, @{ Version = '3.0.0.0'; Refused = $false }
    ) {
        $method = [FletSecret.CipherLoader].GetMethod('UnsupportedHostMessage', [System.Reflection.BindingFlags]'Static, NonPublic')
        $message = $method.Invoke($null, @([version]$Version))
        if ($Refused) { $message | Should -Match 'needs PowerShell 7\.4 or later, or Windows PowerShell 5\.1' }
        else { $message | Should -BeNullOrEmpty }
    }

    It 'stops the import with that message and leaves no module loaded' {
        $dll = Join-Path (Split-Path $ModuleManifest) 'FletSecret.dll'
        # The import finds the assembly already loaded, with the version to check set as on PowerShell 7.3.
        $script = @"
`$assembly = [System.Reflection.Assembly]::LoadFrom('$dll')
`$assembly.GetType('FletSecret.CipherLoader').GetProperty('HostVersion', [System.Reflection.BindingFlags]'Static, NonPublic').SetValue(`$null, [version]'7.3.12')
try { Import-Module '$ModuleManifest' -ErrorAction Stop; 'imported' }
catch { `$_.FullyQualifiedErrorId; `$_.Exception.Message }
"loaded=`$([bool](Get-Module FletSecret))"
"@
        $child = Invoke-ChildPwsh -Script $script
        $lines = $child.Output -split "`r?`n"
        $lines[0] | Should -BeLike 'NotSupported,*'
        $lines[1] | Should -Match 'needs PowerShell 7\.4 or later, or Windows PowerShell 5\.1; this is PowerShell 7\.3'
        $lines[2] | Should -Be 'loaded=False'
    }
}

Describe 'Generated code' {
    It 'is what its generator writes: Pbkdf2Simd.Kernel.cs from tools/generate-pbkdf2-kernel.py' {
        $python = Get-PythonCommand
        if (-not $python) { Set-ItResult -Skipped -Because 'python3 is not on PATH'; return }
        $generated = Join-Path ([IO.Path]::GetTempPath()) "kernel-$([guid]::NewGuid()).cs"
        try {
            & $python.Source (Join-Path $RepoRoot 'tools/generate-pbkdf2-kernel.py') $generated
            $LASTEXITCODE | Should -Be 0
            $committed = Join-Path $RepoRoot 'src/FletSecret.Cipher/Pbkdf2Simd.Kernel.cs'
            # Byte for byte: an edit of the kernel by hand, or of the generator without running it, shows here.
            (Get-FileHash -LiteralPath $generated).Hash | Should -Be (Get-FileHash -LiteralPath $committed).Hash -Because 'python3 tools/generate-pbkdf2-kernel.py writes the kernel (run it and commit its output)'
        }
        finally { Remove-Item -LiteralPath $generated -ErrorAction SilentlyContinue }
    }
}
