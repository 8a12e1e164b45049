BeforeAll {
    . "$PSScriptRoot/common.ps1"
    $script:Passphrase = 'key file passphrase ключ'
    $script:Key = New-TestKey $Passphrase
    $script:Utf8 = [System.Text.UTF8Encoding]::new($false)

    function New-KeyFile {
        param([byte[]] $Bytes, [string] $Name = "key-$([guid]::NewGuid()).txt", [string] $Mode = '600')
        $path = Join-Path $TestDrive $Name
        [System.IO.File]::WriteAllBytes($path, $Bytes)
        if (-not $IsWindows) { & chmod $Mode $path }
        $path
    }

    function Test-KeyFileReads {
        param([string] $Path)
        $token = Protect-FletString 'key file check' -KeyFile $Path -Iterations $FastIterations
        Unprotect-FletString $token -Key $Key -Iterations $FastIterations
    }
}

Describe 'Protect-FletString and Unprotect-FletString -KeyFile' {
    It 'reads the passphrase from a file as UTF-8 <Case>' -ForEach @(
        @{ Case = 'with no line ending'; Suffix = ''; Bom = $false }
        @{ Case = 'with a trailing \n (echo "$KEY" > file)'; Suffix = "`n"; Bom = $false }
        @{ Case = 'with a trailing \r\n (Windows editors)'; Suffix = "`r`n"; Bom = $false }
        @{ Case = 'with a UTF-8 BOM and \r\n'; Suffix = "`r`n"; Bom = $true }
    ) {
        $bytes = $Utf8.GetBytes($Passphrase + $Suffix)
        if ($Bom) { $bytes = [byte[]](0xEF, 0xBB, 0xBF) + $bytes }
        Test-KeyFileReads (New-KeyFile $bytes) | Should -Be 'key file check'
    }

    It 'removes only one line ending: a key that ends in a blank line keeps it' {
        $path = New-KeyFile $Utf8.GetBytes($Passphrase + "`n`n")
        $token = Protect-FletString 'two endings' -KeyFile $path -Iterations $FastIterations
        $withNewline = New-TestKey ($Passphrase + "`n")
        Unprotect-FletString $token -Key $withNewline -Iterations $FastIterations | Should -Be 'two endings'
    }

    It 'resolves a relative path against the current PowerShell location' {
        $null = New-KeyFile $Utf8.GetBytes($Passphrase) -Name 'relative.key'
        Push-Location $TestDrive
        try { $token = Protect-FletString 'relative' -KeyFile './relative.key' -Iterations $FastIterations }
        finally { Pop-Location }
        Unprotect-FletString $token -Key $Key -Iterations $FastIterations | Should -Be 'relative'
    }

    It 'takes the path literally: wildcard characters are not expanded' {
        $null = New-KeyFile $Utf8.GetBytes($Passphrase) -Name 'literal.key'
        $err = { Protect-FletString 'x' -KeyFile (Join-Path $TestDrive 'lit*.key') } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'FletSecret.KeyFileNotFound,*'
    }

    It 'decrypts with -KeyFile what it encrypted with -KeyFile' {
        $path = New-KeyFile $Utf8.GetBytes($Passphrase + "`n")
        $token = Protect-FletString 'both ways' -KeyFile $path -Iterations $FastIterations
        Unprotect-FletString $token -KeyFile $path -Iterations $FastIterations | Should -Be 'both ways'
    }

    Context 'Errors name the path and never the content' {
        It 'stops with KeyFileNotFound for a missing file' {
            $path = Join-Path $TestDrive 'missing.key'
            $err = { Protect-FletString 'x' -KeyFile $path } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'FletSecret.KeyFileNotFound,*'
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err.Exception.Message | Should -Match ([regex]::Escape($path))
        }

        It 'stops with KeyFileNotFound for a directory' {
            $err = { Protect-FletString 'x' -KeyFile $TestDrive } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'FletSecret.KeyFileNotFound,*'
        }

        It 'stops with KeyFileEmpty for <Case>' -ForEach @(
            @{ Case = 'an empty file'; Content = [byte[]]@() }
            @{ Case = 'a file with only a line ending'; Content = [byte[]](10) }
            @{ Case = 'a file with only a BOM and \r\n'; Content = [byte[]](0xEF, 0xBB, 0xBF, 13, 10) }
        ) {
            $path = New-KeyFile $Content
            $err = { Protect-FletString 'x' -KeyFile $path } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'FletSecret.KeyFileEmpty,*'
            $err.CategoryInfo.Category | Should -Be 'InvalidData'
        }

        It 'stops with KeyFileTooLarge for a file over 64 KiB, without showing it' {
            $path = New-KeyFile ([byte[]]::new(64 * 1024 + 1) | ForEach-Object { [byte]0x41 })
            $err = { Unprotect-FletString 'x' -KeyFile $path } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'FletSecret.KeyFileTooLarge,*'
            $err.CategoryInfo.Category | Should -Be 'LimitsExceeded'
            $err.Exception.Message | Should -Not -Match 'AAAA'
        }

        It 'stops with KeyFileUnreadable for a file this user may not read (POSIX only)' {
            if ($IsWindows) { Set-ItResult -Skipped -Because 'POSIX only: the unreadable file is made with Unix mode 000'; return }
            $uid = (& id -u)
            if ($uid -ne '0') {
                $path = New-KeyFile $Utf8.GetBytes($Passphrase) -Mode '000'
            }
            else {
                # root reads any mode; sysfs write-only attributes refuse reads even to root.
                $path = Get-ChildItem /sys/bus/*/drivers_probe, /sys/bus/pci/rescan -ErrorAction SilentlyContinue | Select-Object -First 1 -ExpandProperty FullName
                if (-not $path) { Set-ItResult -Skipped -Because 'running as root and no write-only sysfs file was found to stand for an unreadable file'; return }
            }
            $err = { Protect-FletString 'x' -KeyFile $path } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'FletSecret.KeyFileUnreadable,*'
            $err.CategoryInfo.Category | Should -Be 'PermissionDenied'
            $err.Exception.Message | Should -Match ([regex]::Escape($path))
        }

        It 'stops with InvalidKeyText for a file that is not UTF-8' {
            $path = New-KeyFile ([byte[]](0x6B, 0xFF, 0xFE, 0x79))
            $err = { Protect-FletString 'x' -KeyFile $path } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'FletSecret.InvalidKeyText,*'
        }
    }

    Context 'Permissions (POSIX only: the warning reads the Unix mode bits, which Windows has not)' {
        It 'warns when group or others may read the key file (POSIX mode <Mode>)' -ForEach @(
            @{ Mode = '644' }, @{ Mode = '640' }, @{ Mode = '604' }
        ) {
            if ($IsWindows) { Set-ItResult -Skipped -Because 'POSIX only: Windows has no Unix mode bits, so FletSecret gives no permission warning there'; return }
            $path = New-KeyFile $Utf8.GetBytes($Passphrase) -Mode $Mode
            $token = Protect-FletString 'warned' -KeyFile $path -Iterations $FastIterations -WarningVariable warnings -WarningAction SilentlyContinue
            $token | Should -Not -BeNullOrEmpty
            $warnings.Count | Should -Be 1
            "$($warnings[0])" | Should -Match 'chmod 600'
            "$($warnings[0])" | Should -Not -Match ([regex]::Escape($Passphrase))
        }

        It 'does not warn for POSIX mode 600' {
            if ($IsWindows) { Set-ItResult -Skipped -Because 'POSIX only: Windows has no Unix mode bits, so FletSecret gives no permission warning there'; return }
            $path = New-KeyFile $Utf8.GetBytes($Passphrase) -Mode '600'
            $null = Protect-FletString 'quiet' -KeyFile $path -Iterations $FastIterations -WarningVariable warnings
            $warnings.Count | Should -Be 0
        }
    }
}

Describe 'A key file shared with Python Flet' {
    BeforeDiscovery {
        . "$PSScriptRoot/common.ps1"
        $script:PythonSkip = Get-PythonSkipReason
        if ($PythonSkip) { Write-Host "Skipping the live Python key-file test: $PythonSkip." }
    }

    It 'makes a token from a key file that Python decrypts with the same passphrase' -Skip:([bool]$PythonSkip) {
        $path = New-KeyFile $Utf8.GetBytes($Passphrase + "`n")
        $token = Protect-FletString 'read me in Python' -KeyFile $path
        $answer = Invoke-FletPython @{ op = 'decrypt'; secret = $Passphrase; tokens = @($token); iterations = 600000 }
        $answer.plaintexts[0] | Should -BeExactly 'read me in Python'
    }
}
