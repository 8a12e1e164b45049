# Key hygiene and key-source errors (issue 17, points 2, 4, 5, 6 and 11): what is left in memory, what an error may
# repeat, and what a path that is not a regular file gives.
BeforeAll {
    . "$PSScriptRoot/common.ps1"
    $script:Utf8 = [System.Text.UTF8Encoding]::new($false)
    $script:KeyParameterSets = 'Key', 'KeyEnvironmentVariable', 'KeyFile', 'DefaultKey'

    function New-KeyFile {
        param([string] $Text, [string] $Name = "key-$([guid]::NewGuid()).txt")
        $path = Join-Path $TestDrive $Name
        [System.IO.File]::WriteAllBytes($path, $Utf8.GetBytes($Text))
        if (-not $IsWindows) { & chmod 600 $path }
        $path
    }

    # Starts a child pwsh on a script file with stdin as a pipe; kills it (by its id) when it outlives the timeout,
    # so a test of something that could hang never hangs.
    function Invoke-ChildWithTimeout {
        param([string] $Script, [int] $TimeoutSeconds = 60)
        $pwsh = Get-PwshCommand
        $file = Join-Path ([System.IO.Path]::GetTempPath()) "fletsecret-child-$([guid]::NewGuid()).ps1"
        Set-Content -LiteralPath $file -Value $Script -Encoding utf8
        $info = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
        foreach ($argument in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $file)) { $info.ArgumentList.Add($argument) }
        $info.RedirectStandardInput = $true
        $info.RedirectStandardOutput = $true
        $info.RedirectStandardError = $true
        $info.UseShellExecute = $false
        try {
            $process = [System.Diagnostics.Process]::Start($info)
            $stdout = $process.StandardOutput.ReadToEndAsync()
            $stderr = $process.StandardError.ReadToEndAsync()
            $exited = $process.WaitForExit($TimeoutSeconds * 1000)
            if (-not $exited) { $process.Kill(); $process.WaitForExit() }
            [pscustomobject]@{ TimedOut = -not $exited; Output = $stdout.Result; Error = $stderr.Result }
        }
        finally { Remove-Item -LiteralPath $file -ErrorAction SilentlyContinue }
    }
}

Describe 'The key file''s bytes are not left in memory (point 2)' {
    BeforeAll {
        if (-not $IsWindows -and (Test-Path -LiteralPath /proc/self/mem)) {
            # Counts the places a byte pattern occurs in the readable memory of a process (Linux /proc/<pid>/mem).
            Add-Type -TypeDefinition @'
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
public static class FletSecretMemoryScan
{
    public static int Count(int pid, byte[] pattern)
    {
        int found = 0;
        var chunk = new byte[4 * 1024 * 1024];
        using var mem = new FileStream("/proc/" + pid + "/mem", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        foreach (string line in File.ReadAllLines("/proc/" + pid + "/maps"))
        {
            string[] parts = line.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
            if (parts[1][0] != 'r' || line.EndsWith("[vvar]") || line.EndsWith("[vsyscall]") || line.EndsWith("[vvar_vclock]")) continue;
            string[] range = parts[0].Split('-');
            long start = long.Parse(range[0], NumberStyles.HexNumber), end = long.Parse(range[1], NumberStyles.HexNumber);
            for (long at = start; at < end; at += chunk.Length - pattern.Length)
            {
                int want = (int)Math.Min(chunk.Length, end - at), got = 0;
                try
                {
                    mem.Seek(at, SeekOrigin.Begin);
                    while (got < want) { int n = mem.Read(chunk, got, want - got); if (n <= 0) break; got += n; }
                }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
                found += CountIn(chunk, got, pattern);
                if (want < chunk.Length) break;
            }
        }
        return found;
    }

    private static int CountIn(byte[] data, int length, byte[] pattern)
    {
        int count = 0;
        var span = new ReadOnlySpan<byte>(data, 0, length);
        int offset = 0;
        while (true)
        {
            int i = span.Slice(offset).IndexOf(pattern);
            if (i < 0) return count;
            count++;
            offset += i + 1;
        }
    }
}
'@
        }
    }

    It 'leaves no copy of the passphrase in the process after -KeyFile (a scan of the process memory)' {
        if ($IsWindows -or -not (Test-Path -LiteralPath /proc/self/mem)) {
            Set-ItResult -Skipped -Because 'the memory scan reads /proc/<pid>/mem, which only Linux has'; return
        }
        # A passphrase that exists only in the key file: the child never sees it but through the module.
        $passphrase = 'scan-me-' + [guid]::NewGuid().ToString('N')
        $path = New-KeyFile $passphrase
        $script = @"
Import-Module '$ModuleManifest'
`$token = Protect-FletString 'memory scan' -KeyFile '$path' -Iterations $FastIterations
`$null = Unprotect-FletString `$token -KeyFile '$path' -Iterations $FastIterations
[Console]::Out.WriteLine("READY `$PID"); [Console]::Out.Flush()
`$null = [Console]::In.ReadLine()
"@
        $file = Join-Path $TestDrive 'scan-child.ps1'
        Set-Content -LiteralPath $file -Value $script -Encoding utf8
        $pwsh = Get-PwshCommand
        $info = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
        foreach ($argument in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $file)) { $info.ArgumentList.Add($argument) }
        $info.RedirectStandardInput = $true
        $info.RedirectStandardOutput = $true
        $info.UseShellExecute = $false
        $process = [System.Diagnostics.Process]::Start($info)
        try {
            $ready = $process.StandardOutput.ReadLineAsync()
            $ready.Wait(60000) | Should -BeTrue -Because 'the child should have used the key file within a minute'
            $ready.Result | Should -Match '^READY \d+$'
            # The control: the scan finds the same pattern where it is (the file's path, in the child's memory).
            [FletSecretMemoryScan]::Count($process.Id, $Utf8.GetBytes([System.IO.Path]::GetFileName($path))) | Should -BeGreaterThan 0
            [FletSecretMemoryScan]::Count($process.Id, $Utf8.GetBytes($passphrase)) | Should -Be 0
        }
        finally {
            if (-not $process.HasExited) {
                $process.StandardInput.WriteLine('done')
                if (-not $process.WaitForExit(20000)) { $process.Kill() }
            }
        }
    }

    It 'reads the file into one array that is zeroed once the passphrase is taken' {
        $path = New-KeyFile 'zeroed buffer check'
        $null = Protect-FletString 'x' -KeyFile $path -Iterations $FastIterations
        $property = [FletSecret.CipherLoader].Assembly.GetType('FletSecret.KeySource').GetProperty('LastFileBuffer', [System.Reflection.BindingFlags]'Static, NonPublic')
        $property | Should -Not -BeNullOrEmpty -Because 'the key source keeps a reference to the array it read the file into'
        $buffer = [byte[]]$property.GetValue($null)
        $buffer.Length | Should -Be $Utf8.GetByteCount('zeroed buffer check')
        @($buffer | Where-Object { $_ -ne 0 }).Count | Should -Be 0
    }
}

Describe 'A value given to -KeyEnvironmentVariable is never repeated (point 4)' {
    It 'does not repeat <Case> and says a name was expected' -ForEach @(
        @{ Case = 'a value with spaces and punctuation'; Secret = 'my app key: ' + [guid]::NewGuid() }
        @{ Case = 'a value that looks like a name but is the value of a set variable'; Secret = 'Zq' + [guid]::NewGuid().ToString('N') }
    ) {
        $env:FLETSECRET_T4_KEY = $Secret
        try {
            $records = @()
            try { Protect-FletString 'x' -KeyEnvironmentVariable $env:FLETSECRET_T4_KEY -Iterations $FastIterations -Verbose 4>&1 }
            catch { $records += $_ }
            $records.Count | Should -Be 1
            $records[0].FullyQualifiedErrorId | Should -BeLike 'FletSecret.KeyEnvironmentVariableNameInvalid,*'
            $records[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $records[0].TargetObject | Should -BeNullOrEmpty
            $records[0].Exception.Message | Should -Match 'takes the name of an environment variable'
            $records[0].ErrorDetails.RecommendedAction | Should -Match 'name'
            (Get-AllStreamText $records) -join "`n" | Should -Not -Match ([regex]::Escape($Secret))
        }
        finally { $env:FLETSECRET_T4_KEY = $null }
    }

    It 'does not repeat <Case> given to -KeyFile, and says a path was expected' -ForEach @(
        @{ Case = 'a value with spaces'; Secret = 'my app key ' + [guid]::NewGuid() }
        @{ Case = 'a value with a colon (a provider-qualified look)'; Secret = 'k:' + [guid]::NewGuid().ToString('N') }
    ) {
        $env:FLETSECRET_T4_KEY = $Secret
        try {
            $records = @()
            try { Protect-FletString 'x' -KeyFile $env:FLETSECRET_T4_KEY -Iterations $FastIterations -Verbose 4>&1 }
            catch { $records += $_ }
            $records.Count | Should -Be 1
            $records[0].FullyQualifiedErrorId | Should -BeLike 'FletSecret.KeyFileNotFound,*'
            $records[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $records[0].TargetObject | Should -BeNullOrEmpty
            $records[0].ErrorDetails.RecommendedAction | Should -Match 'KeyEnvironmentVariable'
            (Get-AllStreamText $records) -join "`n" | Should -Not -Match ([regex]::Escape($Secret))
        }
        finally { $env:FLETSECRET_T4_KEY = $null }
    }

    It 'does not repeat a name that a key could be (<Case>), though it is a valid name' -ForEach @(
        @{ Case = 'mixed case, as base62'; Secret = 'aB' + [guid]::NewGuid().ToString('N').Substring(0, 20) + 'Qz' }
        @{ Case = 'upper-case hex, mostly digits'; Secret = 'K' + ('7' * 30) + 'AB' }
    ) {
        $records = @()
        try { Protect-FletString 'x' -KeyEnvironmentVariable $Secret -Iterations $FastIterations -Verbose 4>&1 }
        catch { $records += $_ }
        $records.Count | Should -Be 1
        $records[0].FullyQualifiedErrorId | Should -BeLike 'FletSecret.KeyEnvironmentVariableNotFound,*'
        $records[0].TargetObject | Should -BeNullOrEmpty
        $records[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        (Get-AllStreamText $records) -join "`n" | Should -Not -Match ([regex]::Escape($Secret))
    }

    It 'still names a variable that is unset when the name is a name' {
        $env:FLETSECRET_T4_UNSET = $null
        $err = { Unprotect-FletString 'x' -KeyEnvironmentVariable FLETSECRET_T4_UNSET } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'FletSecret.KeyEnvironmentVariableNotFound,*'
        $err.Exception.Message | Should -Match "'FLETSECRET_T4_UNSET' is not set"
        $err.TargetObject | Should -Be 'FLETSECRET_T4_UNSET'
    }
}

Describe 'A key file that is not a regular file (point 5)' {
    It 'refuses a FIFO with no writer at once instead of waiting forever' {
        if ($IsWindows -or -not (Get-Command mkfifo -ErrorAction SilentlyContinue)) {
            Set-ItResult -Skipped -Because 'mkfifo is a Unix command'; return
        }
        $fifo = Join-Path $TestDrive 'key.fifo'
        & mkfifo $fifo
        $script = "Import-Module '$ModuleManifest'; try { Protect-FletString 'x' -KeyFile '$fifo' -Iterations $FastIterations } " +
            "catch { `$_.FullyQualifiedErrorId; `$_.CategoryInfo.Category.ToString(); `$_.Exception.Message; `$_.ErrorDetails.RecommendedAction }"
        $child = Invoke-ChildWithTimeout -Script $script -TimeoutSeconds 60
        $child.TimedOut | Should -BeFalse -Because 'reading a key must never wait on a FIFO'
        $lines = $child.Output -split "`r?`n"
        $lines[0] | Should -BeLike 'FletSecret.KeyFileNotRegular,*'
        $lines[1] | Should -Be 'InvalidArgument'
        $lines[2] | Should -Match 'pipe or FIFO, not a regular file'
        $lines[3] | Should -Match 'regular file'
    }

    It 'refuses -KeyFile /dev/stdin when stdin is a pipe (as <(printf key) is), with no raw .NET error' {
        if ($IsWindows -or -not (Test-Path -LiteralPath /dev/stdin)) { Set-ItResult -Skipped -Because '/dev/stdin is a Unix path'; return }
        $script = "Import-Module '$ModuleManifest'; try { Protect-FletString 'x' -KeyFile /dev/stdin -Iterations $FastIterations } " +
            "catch { `$_.FullyQualifiedErrorId; `$_.CategoryInfo.Category.ToString() }"
        $child = Invoke-ChildWithTimeout -Script $script -TimeoutSeconds 60
        $child.TimedOut | Should -BeFalse
        $lines = $child.Output -split "`r?`n"
        $lines[0] | Should -BeLike 'FletSecret.KeyFileNotRegular,*'
        $lines[1] | Should -Be 'InvalidArgument'
    }

    It 'refuses a character device such as /dev/zero' {
        if ($IsWindows -or -not (Test-Path -LiteralPath /dev/zero)) { Set-ItResult -Skipped -Because '/dev/zero is a Unix path'; return }
        $err = { Protect-FletString 'x' -KeyFile /dev/zero } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'FletSecret.KeyFileNotRegular,*'
        $err.Exception.Message | Should -Match 'character device'
    }

    It 'follows a symbolic link to a regular file' {
        if ($IsWindows) { Set-ItResult -Skipped -Because 'symbolic links need privileges on Windows'; return }
        $target = New-KeyFile 'linked key'
        $link = Join-Path $TestDrive 'linked.key'
        $null = New-Item -ItemType SymbolicLink -Path $link -Target $target
        $token = Protect-FletString 'through a link' -KeyFile $link -Iterations $FastIterations
        Unprotect-FletString $token -Key (New-TestKey 'linked key') -Iterations $FastIterations | Should -Be 'through a link'
    }

    # Found in review: a loop gave KeyFileUnreadable as PermissionDenied with "check its permissions", which misleads.
    It 'refuses a symbolic link loop as a read error that names the loop, not as a permission problem' {
        if ($IsWindows) { Set-ItResult -Skipped -Because 'symbolic links need privileges on Windows'; return }
        $first = Join-Path $TestDrive 'loop-a.key'
        $second = Join-Path $TestDrive 'loop-b.key'
        & ln -s $second $first
        & ln -s $first $second
        $err = { Protect-FletString 'x' -KeyFile $first } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'FletSecret.KeyFileUnreadable,*'
        $err.CategoryInfo.Category | Should -Be 'ReadError'
        $err.Exception.Message | Should -Match 'symbolic link'
        $err.Exception.Message | Should -Not -Match 'permission'
        $err.ErrorDetails.RecommendedAction | Should -Match 'symbolic link'
    }
}

Describe '-KeyFile takes only file system paths (point 6)' {
    BeforeAll {
        # A file named PATH in the process's working directory: what env:PATH used to resolve to and read as the key.
        $script:SavedDirectory = [System.IO.Directory]::GetCurrentDirectory()
        $null = New-KeyFile 'not the key' -Name 'PATH'
        [System.IO.Directory]::SetCurrentDirectory($TestDrive)
    }
    AfterAll { [System.IO.Directory]::SetCurrentDirectory($SavedDirectory) }

    It 'refuses <Path> with KeyFileNotFileSystemPath' -ForEach @(
        @{ Path = 'env:PATH'; Provider = 'Environment' }
        @{ Path = 'variable:PSHOME'; Provider = 'Variable' }
        @{ Path = 'function:prompt'; Provider = 'Function' }
    ) {
        $err = { Protect-FletString 'x' -KeyFile $Path -Iterations $FastIterations } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'FletSecret.KeyFileNotFileSystemPath,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err.Exception.Message | Should -Match "$Provider provider"
        $err.ErrorDetails.RecommendedAction | Should -Match '-KeyEnvironmentVariable'
    }

    It 'refuses a relative path while the current location is not in the file system' {
        Push-Location env:
        try { $err = { Protect-FletString 'x' -KeyFile 'PATH' -Iterations $FastIterations } | Should -Throw -PassThru }
        finally { Pop-Location }
        $err.FullyQualifiedErrorId | Should -BeLike 'FletSecret.KeyFileNotFileSystemPath,*'
    }

    It 'gives KeyFileNotFound, not a raw error, for a drive that does not exist' {
        $err = { Protect-FletString 'x' -KeyFile 'nosuchdrive:key.txt' -Iterations $FastIterations } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'FletSecret.KeyFileNotFound,*'
        $err.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }
}

Describe 'Key errors advise, and advise consistently (point 11)' {
    It 'sets a RecommendedAction that agrees with the message for <Id>' -ForEach @(
        @{ Id = 'KeyNotFound'; Set = 'DefaultKey'; Call = { $env:FLET_SECRET_KEY = $null; Protect-FletString 'x' } }
        @{ Id = 'KeyEnvironmentVariableNotFound'; Set = 'KeyEnvironmentVariable'; Call = { Protect-FletString 'x' -KeyEnvironmentVariable FLETSECRET_NOT_SET_11 } }
        @{ Id = 'KeyEmpty'; Set = 'Key'; Call = { Protect-FletString 'x' -Key ([securestring]::new()) } }
        # Found in review: a disposed -Key SecureString gave a raw System.ObjectDisposedException (NotSpecified, no advice).
        @{ Id = 'KeyDisposed'; Set = 'Key'; Call = { $disposed = New-TestKey; $disposed.Dispose(); Protect-FletString 'x' -Key $disposed } }
        @{ Id = 'KeyDisposed'; Set = 'Key'; Call = { $disposed = New-TestKey; $disposed.Dispose(); Unprotect-FletString 'x' -Key $disposed } }
        @{ Id = 'KeyFileNotFound'; Set = 'KeyFile'; Call = { Protect-FletString 'x' -KeyFile (Join-Path $TestDrive 'none.key') } }
        @{ Id = 'KeyFileEmpty'; Set = 'KeyFile'; Call = { Protect-FletString 'x' -KeyFile (New-KeyFile "`n") } }
        @{ Id = 'KeyFileTooLarge'; Set = 'KeyFile'; Call = { Protect-FletString 'x' -KeyFile (New-KeyFile ('k' * 70000)) } }
    ) {
        $saved = $env:FLET_SECRET_KEY
        try { $err = $Call | Should -Throw -PassThru }
        finally { $env:FLET_SECRET_KEY = $saved }
        $err.FullyQualifiedErrorId | Should -BeLike "FletSecret.$Id,*"
        $advice = $err.ErrorDetails.RecommendedAction
        $advice | Should -Not -BeNullOrEmpty
        # No sentence starts again after a colon ("another way: Give a key ..."), and the way that failed is not offered again.
        $err.Exception.Message | Should -Not -Match ': [A-Z][a-z]'
        $advice | Should -Not -Match ': [A-Z][a-z]'
        $failed = @{ Key = '-Key with'; KeyEnvironmentVariable = '-KeyEnvironmentVariable with'; KeyFile = '-KeyFile with'; DefaultKey = 'no key parameter' }[$Set]
        $advice | Should -Not -Match ([regex]::Escape($failed))
        if ($err.Exception.Message -match 'another way') { $advice | Should -Match 'another way' }
    }

    It 'advises reading as a string, not splitting, when a plaintext is too long for -AsSecureString' {
        $key = New-TestKey
        $token = Protect-FletString ('x' * 70000) -Key $key -Iterations 1
        $null = Unprotect-FletString $token -Key $key -Iterations 1 -AsSecureString -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'FletSecret.InputTooLarge,*'
        $errs[0].Exception.Message | Should -Match 'read it as a string'
        $errs[0].ErrorDetails.RecommendedAction | Should -Match 'leave out -AsSecureString'
        $errs[0].ErrorDetails.RecommendedAction | Should -Not -Match 'Split'
    }

    It 'still advises splitting a plaintext over the token limit' {
        $err = $null
        $null = Protect-FletString ('x' * (64MB + 1)) -Key (New-TestKey) -Iterations 1 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FletSecret.InputTooLarge,*'
        $err[0].ErrorDetails.RecommendedAction | Should -Match 'Split the data'
    }
}
