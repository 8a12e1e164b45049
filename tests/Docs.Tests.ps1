# The docs agree with each other and with real runs (issue 17, points 12 and 13).
BeforeAll {
    . "$PSScriptRoot/common.ps1"
    $script:Docs = Join-Path $RepoRoot 'docs/en-US'

    # The Output blocks of a markdown file, by example.
    function Get-OutputBlocks([string] $Markdown) {
        [regex]::Matches($Markdown, '(?s)```Output\r?\n(.*?)\r?\n```') | ForEach-Object { $_.Groups[1].Value }
    }

    # What a run may change: tokens, salts, times and ages; and the column alignment that their lengths move.
    function Get-Shape([string] $Text) {
        $Text = $Text -replace '[A-Za-z0-9_-]{40,}={0,2}', '<token>'
        $Text = $Text -replace '\b[0-9a-f]{32}\b', '<salt>'
        $Text = $Text -replace '\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ', '<time>'
        $Text = $Text -replace '\d{1,2}/\d{1,2}/\d{4}\s\d{1,2}:\d\d:\d\d(\s[AP]M)?\s[+-]\d\d:\d\d', '<time>'
        $Text = $Text -replace '\b(\d+\.)?\d\d:\d\d:\d\d\b', '<age>'
        ($Text -replace '[ \t]+', ' ').Trim()
    }
}

Describe 'Docs agree with the code and with each other (point 12)' {
    It 'never shows the same token twice in the Protect-FletString examples (a string never gives the same token twice)' {
        $markdown = Get-Content -Raw -LiteralPath (Join-Path $Docs 'Protect-FletString.md')
        $tokens = Get-OutputBlocks $markdown | ForEach-Object { [regex]::Matches($_, '[A-Za-z0-9_-]{100,}={0,2}').Value }
        $tokens.Count | Should -BeGreaterThan 5
        $tokens | Group-Object | Where-Object Count -gt 1 | ForEach-Object Name | Should -BeNullOrEmpty
    }

    It 'shows, for every example that tools/Update-DocSamples.ps1 runs, the output that a run gives' {
        $fresh = Join-Path $TestDrive 'fresh-docs'
        $child = Invoke-ChildPwsh -Script "& '$(Join-Path $RepoRoot 'tools/Update-DocSamples.ps1')' -OutputPath '$fresh'"
        $child.ExitCode | Should -Be 0 -Because $child.Error
        foreach ($file in 'Protect-FletString.md', 'Get-FletTokenInfo.md', 'New-FletSecretKey.md', 'Unprotect-FletString.md') {
            $documented = @(Get-OutputBlocks (Get-Content -Raw -LiteralPath (Join-Path $Docs $file)))
            $run = @(Get-OutputBlocks (Get-Content -Raw -LiteralPath (Join-Path $fresh $file)))
            $run.Count | Should -Be $documented.Count
            for ($i = 0; $i -lt $run.Count; $i++) {
                Get-Shape $documented[$i] | Should -BeExactly (Get-Shape $run[$i]) -Because "Output block $($i + 1) of $file should be what a run writes (tools/Update-DocSamples.ps1 rewrites it)"
            }
        }
    }

    It 'shows a minimum no larger than the median in every row of the performance table' {
        $rows = Get-Content -LiteralPath (Join-Path $RepoRoot 'docs/performance.md') | Where-Object { $_ -match '^\|[^|-][^|]*\|\s*\d+\s*\|' }
        $rows.Count | Should -BeGreaterThan 10
        foreach ($row in $rows) {
            $cells = $row.Split('|')
            [double]$cells[3] | Should -BeLessOrEqual ([double]$cells[4]) -Because $cells[1].Trim()
        }
    }

    It 'writes the performance figures in one table, which README and the about topic cite rather than repeat' {
        $performance = Get-Content -Raw -LiteralPath (Join-Path $RepoRoot 'docs/performance.md')
        $performance | Should -Match '(?s)<!-- bench:begin -->.*\| Case \|.*<!-- bench:end -->'
        foreach ($path in (Join-Path $RepoRoot 'README.md'), (Join-Path $Docs 'about_FletSecret.md')) {
            $text = Get-Content -Raw -LiteralPath $path
            $text | Should -Match 'docs/performance\.md'
            $text | Should -Not -Match '\b\d+(\.\d+)? ?ms\b' -Because "$path should cite the table, not copy a figure that the next bench run changes"
        }
    }
}

Describe 'The demo and the README say what a new user needs (point 13)' {
    It 'prints the sample key, and the Python lines it prints decrypt the token as printed' {
        $child = Invoke-ChildPwsh -Script "& '$(Join-Path $RepoRoot 'tools/Demo.ps1')'"
        $child.ExitCode | Should -Be 0 -Because $child.Error
        $child.Output | Should -Match "Key\s+: 'demo key: correct horse battery staple', a sample for this demo only"
        $lines = $child.Output -split '\r?\n'
        $start = [array]::FindIndex($lines, [Predicate[string]] { param($l) $l -like 'The same token in a Flet app*' })
        $python = @($lines | Select-Object -Skip ($start + 1) | Where-Object { $_ -like '    *' } | ForEach-Object { $_.Substring(4) })
        $python -join "`n" | Should -Match 'demo key: correct horse battery staple'
        $skip = Get-PythonSkipReason
        if ($skip) { Set-ItResult -Skipped -Because "the printed Python cannot run here: $skip"; return }
        # flet.security as Flet has it (decrypt with 600000 iterations), from the tests' one Python implementation.
        $shim = Join-Path $TestDrive 'shim'
        $null = New-Item -ItemType Directory -Force -Path (Join-Path $shim 'flet')
        Set-Content -LiteralPath (Join-Path $shim 'flet/__init__.py') -Value ''
        Set-Content -LiteralPath (Join-Path $shim 'flet/security.py') -Value @(
            'import flet_reference'
            'def decrypt(encrypted_data, secret_key):'
            '    return flet_reference.decrypt(encrypted_data, secret_key, 600000)'
        )
        $snippet = Join-Path $TestDrive 'snippet.py'
        Set-Content -LiteralPath $snippet -Value $python
        $savedPath = $env:PYTHONPATH
        $env:PYTHONPATH = $shim + [System.IO.Path]::PathSeparator + (Join-Path $RepoRoot 'tests/data')
        try { $answer = & (Get-PythonCommand).Source $snippet }
        finally { $env:PYTHONPATH = $savedPath }
        $answer | Should -Be 'Hello from PowerShell to Flet!'
    }

    It 'installs the built package from a local repository with the README''s commands' {
        if ($IsWindows) { Set-ItResult -Skipped -Because 'the test keeps the install out of the user''s modules through HOME and XDG_DATA_HOME, which Windows does not use'; return }
        $readme = Get-Content -Raw -LiteralPath (Join-Path $RepoRoot 'README.md')
        $section = [regex]::Match($readme, '(?s)### Install the package you built, from a local repository.*?```powershell\r?\n(.*?)\r?\n```')
        $section.Success | Should -BeTrue -Because 'README says how to install the built package'
        $commands = $section.Groups[1].Value
        $commands | Should -Match 'Register-PSResourceRepository'
        $commands | Should -Match 'Install-PSResource'
        $version = (Import-PowerShellDataFile -LiteralPath $ModuleManifest).ModuleVersion
        $package = Join-Path $RepoRoot "out/packages/FletSecret.$version.nupkg"
        if (-not (Test-Path -LiteralPath $package)) { Set-ItResult -Skipped -Because "there is no $package (build.ps1 -Task Package or Test makes it)"; return }
        # The user's home (PSResourceGet's repositories and CurrentUser modules) and data folder (PowerShell's user
        # module path) are temporary ones here, so that nothing is installed for the real user.
        $userHome = Join-Path $TestDrive 'home'
        $data = Join-Path $userHome '.local/share'
        $null = New-Item -ItemType Directory -Force -Path $data
        $script = "Set-Location '$RepoRoot'`n$commands`n`"base=`$((Get-Module FletSecret).ModuleBase)`"`n`"version=`$((Get-Module FletSecret).Version)`"`n" +
            "`"repositories=`$((Get-PSResourceRepository).Name -join ',')`""
        $child = Invoke-ChildPwsh -Script $script -Environment @{ HOME = $userHome; XDG_DATA_HOME = $data }
        $child.Output | Should -Match "(?m)^base=$([regex]::Escape($data))"
        $child.Output | Should -Match "(?m)^version=$([regex]::Escape($version))"
        $child.Output | Should -Not -Match 'repositories=.*FletSecretLocal'
    }
}
