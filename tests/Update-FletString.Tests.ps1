# Update-FletString (issue 21, point 1): rotating tokens to a new key and iteration count, in the pipeline and inside
# text files (all or nothing per file, replaced atomically).
BeforeDiscovery {
    . "$PSScriptRoot/common.ps1"
    $script:PythonSkip = Get-PythonSkipReason
    if ($PythonSkip) { Write-Host "Skipping live Python interop tests of Update-FletString: $PythonSkip." }
}

BeforeAll {
    . "$PSScriptRoot/common.ps1"
    $script:SecretA = 'app secret A 🔑 ключ'
    $script:SecretB = 'app secret B, after rotation'
    $env:FLETSECRET_TEST_A = $SecretA
    $env:FLETSECRET_TEST_B = $SecretB
    $script:Old = @{ KeyEnvironmentVariable = 'FLETSECRET_TEST_A'; Iterations = $FastIterations }
    $script:New = @{ NewKeyEnvironmentVariable = 'FLETSECRET_TEST_B'; NewIterations = $FastIterations + 1 }
    $script:KeyA = New-TestKey $SecretA
    $script:KeyB = New-TestKey $SecretB
    $script:TokenPattern = '[A-Za-z0-9_-]{88,}={0,2}'

    function Open-WithB([string[]] $Tokens) { $Tokens | Unprotect-FletString -Key $KeyB -Iterations ($FastIterations + 1) }

    # The file's text with every token replaced by <token>: what a rotation must leave exactly as it was.
    function Get-Skeleton([string] $Text) { $Text -replace $TokenPattern, '<token>' }
}

AfterAll {
    Remove-Item Env:FLETSECRET_TEST_A, Env:FLETSECRET_TEST_B -ErrorAction SilentlyContinue
}

Describe 'Update-FletString on Flet upgrade day (live Python)' -Skip:([bool]$PythonSkip) {
    It 'rotates Flet 0.21 tokens (100000) and current ones (600000) of both pairs so that current Flet decrypts them under the new key' {
        $plaintexts = 'db password', 'ünïcödé 密码 🙂', '', "multi`nline"
        $legacy = (Invoke-FletPython @{ op = 'encrypt'; secret = $SecretA; plaintexts = $plaintexts; iterations = 100000 }).tokens
        $legacyGcm = (Invoke-FletPython @{ op = 'encrypt'; algorithm = 'AesGcm'; secret = $SecretA; plaintexts = $plaintexts[0..1]; iterations = 100000 }).tokens
        $current = (Invoke-FletPython @{ op = 'encrypt'; secret = $SecretA; plaintexts = $plaintexts[0..1]; iterations = 600000 }).tokens
        $currentGcm = (Invoke-FletPython @{ op = 'encrypt'; algorithm = 'AesGcm'; secret = $SecretA; plaintexts = $plaintexts[2..3]; iterations = 600000 }).tokens
        $tokens = @($legacy) + $legacyGcm + $current + $currentGcm
        $before = $tokens | Get-FletTokenInfo

        $rotated = @($tokens | Update-FletString -KeyEnvironmentVariable FLETSECRET_TEST_A -Iterations 600000, 100000 -NewKeyEnvironmentVariable FLETSECRET_TEST_B)

        $rotated.Count | Should -Be $tokens.Count
        $after = $rotated | Get-FletTokenInfo
        $after.Algorithm | Should -Be $before.Algorithm
        $after.Timestamp | Should -Be $before.Timestamp
        $after.Salt | Should -Not -Be $before.Salt
        $fernet = for ($i = 0; $i -lt $rotated.Count; $i++) { if ($after[$i].Algorithm -eq 'Fernet') { $rotated[$i] } }
        $gcm = for ($i = 0; $i -lt $rotated.Count; $i++) { if ($after[$i].Algorithm -eq 'AesGcm') { $rotated[$i] } }
        (Invoke-FletPython @{ op = 'decrypt'; secret = $SecretB; tokens = @($fernet); iterations = 600000 }).plaintexts |
            Should -BeExactly (@($plaintexts) + $plaintexts[0..1])
        (Invoke-FletPython @{ op = 'decrypt'; algorithm = 'AesGcm'; secret = $SecretB; tokens = @($gcm); iterations = 600000 }).plaintexts |
            Should -BeExactly (@($plaintexts[0..1]) + $plaintexts[2..3])
        # The old key opens none of them any more.
        @((Invoke-FletPython @{ op = 'decrypt'; secret = $SecretA; tokens = @($fernet); iterations = 100000 }).plaintexts | Where-Object { $null -ne $_ }) |
            Should -BeNullOrEmpty
    }

    It 'makes tokens that Python rotated by this module reads, and reads what Python wrote after a rotation back' {
        $mine = 'from pwsh' | Protect-FletString -Key $KeyA -Iterations 100000 -Algorithm AesGcm
        $rotated = $mine | Update-FletString -Key $KeyA -Iterations 100000 -NewKey $KeyB -Algorithm Fernet
        (Invoke-FletPython @{ op = 'decrypt'; secret = $SecretB; tokens = @($rotated); iterations = 600000 }).plaintexts | Should -BeExactly 'from pwsh'
        $python = (Invoke-FletPython @{ op = 'encrypt'; secret = $SecretB; plaintexts = @('from python'); iterations = 600000 }).tokens
        $back = $python | Update-FletString -Key $KeyB -NewKey $KeyA -NewIterations 100000
        (Invoke-FletPython @{ op = 'decrypt'; secret = $SecretA; tokens = @($back); iterations = 100000 }).plaintexts | Should -BeExactly 'from python'
    }
}

Describe 'Update-FletString in the pipeline' {
    It 'keeps the order, writes an error naming the position for each token it cannot rotate, and goes on' {
        $tokens = 'zero', 'three' | Protect-FletString -Key $KeyA -Iterations $FastIterations
        $foreign = Protect-FletString 'two' -Key (New-TestKey 'unknown key') -Iterations $FastIterations
        $out = @($tokens[0], 'not a token', $foreign, $tokens[1] | Update-FletString @Old @New -ErrorVariable errors -ErrorAction SilentlyContinue)
        Open-WithB $out | Should -BeExactly 'zero', 'three'
        $errors.Count | Should -Be 2
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'FletSecret.InvalidToken,*'
        $errors[0].TargetObject | Should -Be 'InputObject[1]'
        $errors[0].ErrorDetails.Message | Should -Match '^Item 1: '
        $errors[1].FullyQualifiedErrorId | Should -BeLike 'FletSecret.AuthenticationFailed,*'
        $errors[1].CategoryInfo.Category | Should -Be 'SecurityError'
        $errors[1].TargetObject | Should -Be 'InputObject[2]'
        $errors[1].ErrorDetails.RecommendedAction | Should -Match '-Iterations 600000,100000'
    }

    It 'keeps the Fernet timestamp of a Python-made vector and each token''s pair' {
        $vector = $FletVectors | Where-Object iterations -EQ 100000 | Select-Object -First 1
        $secure = ConvertTo-SecureString -String $vector.secret -AsPlainText -Force
        $gcm = Protect-FletString 'gcm' -Key $secure -Iterations 100000 -Algorithm AesGcm
        $rotated = @($vector.token, $gcm | Update-FletString -Key $secure -Iterations 100000 -NewKey $KeyB -NewIterations ($FastIterations + 1))
        $info = $rotated | Get-FletTokenInfo
        $info.Algorithm | Should -Be 'Fernet', 'AesGcm'
        $info[0].Timestamp | Should -Be ([DateTimeOffset]::FromUnixTimeSeconds($vector.timestamp))
        Open-WithB $rotated | Should -BeExactly $vector.plaintext, 'gcm'
    }

    It 'changes every token''s pair with -Algorithm' {
        $tokens = @(Protect-FletString 'f' -Key $KeyA -Iterations $FastIterations) + (Protect-FletString 'g' -Key $KeyA -Iterations $FastIterations -Algorithm AesGcm)
        ($tokens | Update-FletString @Old @New -Algorithm AesGcm | Get-FletTokenInfo).Algorithm | Should -Be 'AesGcm', 'AesGcm'
        $fernet = $tokens | Update-FletString @Old @New -Algorithm Fernet
        ($fernet | Get-FletTokenInfo).Algorithm | Should -Be 'Fernet', 'Fernet'
        Open-WithB $fernet | Should -BeExactly 'f', 'g'
    }

    It 'migrates iterations under the same key (old key = new key), reads SecureString tokens and Token properties' {
        $token = Protect-FletString 'same key' -Key $KeyA -Iterations 100000
        $secureToken = ConvertTo-SecureString -String $token -AsPlainText -Force
        $rows = [pscustomobject]@{ Token = $token }, $secureToken
        $migrated = @($rows | Update-FletString -Key $KeyA -Iterations 100000 -NewKey $KeyA)
        $migrated.Count | Should -Be 2
        $migrated | Unprotect-FletString -Key $KeyA | Should -BeExactly 'same key', 'same key'
        $migrated | Unprotect-FletString -Key $KeyA -Iterations 100000 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'tries several old keys in order (-Key new, old)' {
        $underA = Protect-FletString 'under A' -Key $KeyA -Iterations $FastIterations
        $underB = Protect-FletString 'under B' -Key $KeyB -Iterations $FastIterations
        $records = $underA, $underB, $underB | Update-FletString -Key $KeyB, $KeyA -Iterations $FastIterations @New -Verbose 4>&1
        $out = @($records | Where-Object { $_ -is [string] })
        Open-WithB $out | Should -BeExactly 'under A', 'under B', 'under B'
        ($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | Select-Object -Last 1).Message |
            Should -Match 'Tokens opened by old key: 1: 2, 2: 1\.'
    }

    It 'counts the tokens each old key opened by the position it was given at, a key given twice aside' {
        $underA = Protect-FletString 'under A' -Key $KeyA -Iterations $FastIterations
        $underB = Protect-FletString 'under B' -Key $KeyB -Iterations $FastIterations
        $records = $underA, $underB, $underB | Update-FletString -Key $KeyB, $KeyB, $KeyA -Iterations $FastIterations @New -Verbose 4>&1 3>&1
        ($records | Where-Object { $_ -is [System.Management.Automation.WarningRecord] }).Message | Should -Match 'key 2 of 3 is the same key as key 1'
        ($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | Select-Object -Last 1).Message |
            Should -Match 'Tokens opened by old key: 1: 2, 3: 1\.'
    }

    It 'writes each output before the next input arrives when the upstream is slow' {
        $tokens = 'one', 'two' | Protect-FletString -Key $KeyA -Iterations $FastIterations
        $events = [System.Collections.Generic.List[string]]::new()
        & { foreach ($t in $tokens) { $events.Add('in'); $t; Start-Sleep -Milliseconds 300 } } |
            Update-FletString @Old @New | ForEach-Object { $events.Add('out') }
        $events | Should -Be 'in', 'out', 'in', 'out'
    }

    It 'rotates a Fernet token whose inner layer holds a byte Flet skips (its shape says AES-GCM), as Unprotect-FletString opens it' {
        $token = Protect-FletString 'skipped inside' -Key $KeyA -Iterations $FastIterations
        # Flet's decrypt reads the Fernet token after the salt with urlsafe_b64decode, which skips the '.' put in.
        $bytes = [System.Collections.Generic.List[byte]]::new([Convert]::FromBase64String($token.Replace('-', '+').Replace('_', '/')))
        $bytes.Insert(16 + 3, [byte]0x2E)
        $mutated = [Convert]::ToBase64String($bytes.ToArray()).Replace('+', '-').Replace('/', '_')
        Unprotect-FletString $mutated @Old | Should -BeExactly 'skipped inside'
        $secure = ConvertTo-SecureString -String $mutated -AsPlainText -Force
        $rotated = @($mutated, $secure | Update-FletString @Old @New)
        $rotated.Count | Should -Be 2
        ($rotated | Get-FletTokenInfo).Algorithm | Should -Be 'Fernet', 'Fernet'
        ($rotated | Get-FletTokenInfo)[0].Timestamp | Should -Be (Get-FletTokenInfo $token).Timestamp
        Open-WithB $rotated | Should -BeExactly 'skipped inside', 'skipped inside'
        $file = Join-Path $TestDrive 'skipped.env'
        [System.IO.File]::WriteAllText($file, "K=$mutated`n")
        (Update-FletString -LiteralPath $file @Old @New -PassThru).TokensRotated | Should -Be 1
        Open-WithB ((Get-Content -LiteralPath $file) -replace '^K=') | Should -BeExactly 'skipped inside'
    }

    It 'tells a piped file (Get-ChildItem *.env | Update-FletString) to go to -LiteralPath, and goes on' {
        $file = Join-Path $TestDrive 'piped.env'
        Set-Content -LiteralPath $file -Value 'A=1'
        $token = Protect-FletString 'after the file' -Key $KeyA -Iterations $FastIterations
        $out = @((Get-Item -LiteralPath $file), $token | Update-FletString @Old @New -ErrorVariable errors -ErrorAction SilentlyContinue)
        Open-WithB $out | Should -BeExactly 'after the file'
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'FletSecret.InvalidInput,*'
        $errors[0].ErrorDetails.Message | Should -Match "is a file \('piped.env'\), not a token.*-LiteralPath"
        $errors[0].ErrorDetails.RecommendedAction | Should -Match 'Update-FletString -LiteralPath \(Get-ChildItem \*\.env\)\.FullName'
    }

    It 'refuses a missing, a doubled or an unset new key before reading any token, naming the new-key parameters' {
        $token = Protect-FletString 'x' -Key $KeyA -Iterations $FastIterations
        { $token | Update-FletString @Old -ErrorAction Stop } | Should -Throw -ErrorId 'FletSecret.NewKeyMissing,*'
        { $token | Update-FletString @Old -NewKey $KeyB -NewKeyEnvironmentVariable FLETSECRET_TEST_B -ErrorAction Stop } |
            Should -Throw -ErrorId 'FletSecret.NewKeyConflict,*'
        { $token | Update-FletString @Old -Key $KeyA -NewKey $KeyB -ErrorAction Stop } | Should -Throw -ErrorId 'FletSecret.KeyConflict,*'
        $e = { $token | Update-FletString @Old -NewKeyEnvironmentVariable FLETSECRET_TEST_UNSET -ErrorAction Stop } |
            Should -Throw -ErrorId 'FletSecret.NewKeyEnvironmentVariableNotFound,*' -PassThru
        $e.ErrorDetails.Message | Should -Match 'new key'
        $e.ErrorDetails.RecommendedAction | Should -Match '-NewKeyEnvironmentVariable'
        $e.ErrorDetails.RecommendedAction | Should -Not -Match '(?<!New)KeyEnvironmentVariable with'
    }

    It 'says that the old key is missing when a new key is given and FLET_SECRET_KEY, the default old key, is not set' {
        $token = Protect-FletString 'x' -Key $KeyA -Iterations $FastIterations
        $saved = $env:FLET_SECRET_KEY
        $env:FLET_SECRET_KEY = $null
        try {
            $e = { $token | Update-FletString -NewKey $KeyB -ErrorAction Stop } | Should -Throw -ErrorId 'FletSecret.KeyNotFound,*' -PassThru
            $e.ErrorDetails.Message | Should -Match '^No old key was given \(-Key, -KeyEnvironmentVariable or -KeyFile\)'
        }
        finally { $env:FLET_SECRET_KEY = $saved }
    }

    It 'never writes a plaintext or a key into any stream' {
        $plain = 'plaintext-that-must-not-leak'
        $token = Protect-FletString $plain -Key $KeyA -Iterations $FastIterations
        $foreign = Protect-FletString $plain -Key (New-TestKey 'another') -Iterations $FastIterations
        $records = $token, $foreign, 'junk' | Update-FletString @Old @New -Verbose -ErrorAction Continue *>&1
        $text = (Get-AllStreamText $records) -join "`n"
        $text | Should -Not -Match ([regex]::Escape($plain))
        $text | Should -Not -Match ([regex]::Escape($SecretA))
        $text | Should -Not -Match ([regex]::Escape($SecretB))
        @($records | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).Count | Should -Be 2
    }
}

Describe 'Update-FletString -Path and -LiteralPath' {
    BeforeEach {
        $script:Folder = Join-Path $TestDrive ([guid]::NewGuid())
        $null = New-Item -ItemType Directory -Path $Folder
        $script:Fernet = Protect-FletString 'fernet value' -Key $KeyA -Iterations $FastIterations
        $script:Gcm = Protect-FletString 'gcm value' -Key $KeyA -Iterations $FastIterations -Algorithm AesGcm
        # A .env as an app keeps it: a comment, two tokens (one quoted), a plain value; CRLF line ends and a UTF-8 BOM.
        $script:EnvText = "# secrets of the app`r`nDB_PASSWORD=$Fernet`r`nLOG_LEVEL=info`r`nAPI_KEY=`"$Gcm`" # rotated yearly`r`n"
        $script:EnvFile = Join-Path $Folder 'app.env'
        [System.IO.File]::WriteAllBytes($EnvFile, [byte[]](@(0xEF, 0xBB, 0xBF) + [System.Text.Encoding]::UTF8.GetBytes($EnvText)))
        $script:EnvBytes = [System.IO.File]::ReadAllBytes($EnvFile)
    }

    It 'rotates only the tokens of a .env file, byte for byte, and says so with -PassThru' {
        $summary = Update-FletString -Path $EnvFile @Old @New -PassThru
        $summary.Path | Should -Be $EnvFile
        $summary.TokensFound | Should -Be 2
        $summary.TokensRotated | Should -Be 2
        $summary.Encoding | Should -Be 'UTF-8 (BOM)'

        $bytes = [System.IO.File]::ReadAllBytes($EnvFile)
        $bytes[0..2] | Should -Be 0xEF, 0xBB, 0xBF
        $text = [System.Text.Encoding]::UTF8.GetString($bytes, 3, $bytes.Length - 3)
        $new = [regex]::Matches($text, $TokenPattern).Value
        $new.Count | Should -Be 2
        $new | Should -Not -Contain $Fernet
        # Exactly the old bytes with the two tokens swapped: nothing else moved (same pair, same plaintext: same length).
        $expected = [byte[]](@(0xEF, 0xBB, 0xBF) + [System.Text.Encoding]::UTF8.GetBytes($EnvText.Replace($Fernet, $new[0]).Replace($Gcm, $new[1])))
        $bytes | Should -Be $expected
        $bytes.Length | Should -Be $EnvBytes.Length
        Open-WithB $new | Should -BeExactly 'fernet value', 'gcm value'
        ($new | Get-FletTokenInfo).Algorithm | Should -Be 'Fernet', 'AesGcm'
        Get-ChildItem -LiteralPath $Folder -Force | ForEach-Object Name | Should -Be 'app.env' # no temporary file left
    }

    It 'leaves the file byte-identical and writes one error naming the line when one token is under an unknown key' {
        $foreign = Protect-FletString 'foreign' -Key (New-TestKey 'unknown key') -Iterations $FastIterations
        [System.IO.File]::WriteAllText($EnvFile, $EnvText.Replace($Gcm, $foreign))
        $before = [System.IO.File]::ReadAllBytes($EnvFile)
        $summary = Update-FletString -LiteralPath $EnvFile @Old @New -PassThru -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'FletSecret.AuthenticationFailed,*'
        $errors[0].TargetObject | Should -Be $EnvFile
        $errors[0].ErrorDetails.Message | Should -Match 'left unchanged: 1 of 2 Flet token\(s\) could not be rotated \(line 4\)'
        [System.IO.File]::ReadAllBytes($EnvFile) | Should -Be $before
        $summary.TokensFound | Should -Be 2
        $summary.TokensRotated | Should -Be 0
    }

    It 'writes nothing with -WhatIf' {
        $written = (Get-Item -LiteralPath $EnvFile).LastWriteTimeUtc
        $out = Update-FletString -Path $EnvFile @Old @New -PassThru -WhatIf
        $out | Should -BeNullOrEmpty
        [System.IO.File]::ReadAllBytes($EnvFile) | Should -Be $EnvBytes
        (Get-Item -LiteralPath $EnvFile).LastWriteTimeUtc | Should -Be $written
        Get-ChildItem -LiteralPath $Folder -Force | ForEach-Object Name | Should -Be 'app.env'
    }

    It 'expands wildcards in -Path, takes -LiteralPath as written, and goes on past a missing file' {
        Copy-Item -LiteralPath $EnvFile -Destination (Join-Path $Folder 'second.env')
        Set-Content -LiteralPath (Join-Path $Folder 'notes.txt') -Value "not matched: $Fernet"
        $summaries = Update-FletString -Path (Join-Path $Folder '*.env') @Old @New -PassThru
        @($summaries.Path | Split-Path -Leaf | Sort-Object) | Should -Be 'app.env', 'second.env'
        Get-Content -LiteralPath (Join-Path $Folder 'notes.txt') | Should -Be "not matched: $Fernet"

        $odd = Join-Path $Folder 'odd[1].env'
        [System.IO.File]::WriteAllText($odd, "K=$Fernet`n")
        $missing = Join-Path $Folder 'missing.env'
        $out = Update-FletString -LiteralPath $missing, $odd @Old @New -PassThru -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'FletSecret.FileNotFound,*'
        $out.TokensRotated | Should -Be 1
        Open-WithB ((Get-Content -LiteralPath $odd) -replace '^K=') | Should -BeExactly 'fernet value'
    }

    It 'says which hidden files (.env) a wildcard passed over, rotates them with -Force, and warns when it matched no file' -Skip:$IsWindows {
        $hidden = Join-Path $Folder '.env'
        Copy-Item -LiteralPath $EnvFile -Destination $hidden
        $null = New-Item -ItemType Directory -Path (Join-Path $Folder '.git-env') # a hidden folder: passed over, not counted
        $out = @(Update-FletString -Path (Join-Path $Folder '*env') @Old @New -PassThru -WarningVariable warnings -WarningAction SilentlyContinue)
        $out.Path | Should -Be $EnvFile
        $warnings.Count | Should -Be 1
        $warnings[0].Message | Should -Match "passed over 1 hidden file\(s\), such as '\.env'.*-Force"
        [System.IO.File]::ReadAllBytes($hidden) | Should -Be $EnvBytes

        $out = @(Update-FletString -Path (Join-Path $Folder '.e*') @Old @New -PassThru -Force -WarningVariable warnings)
        $out.Path | Should -Be $hidden
        $out.TokensRotated | Should -Be 2
        $warnings | Should -BeNullOrEmpty

        $none = @(Update-FletString -Path (Join-Path $Folder 'nothing*.env') @Old @New -PassThru -WarningVariable warnings -WarningAction SilentlyContinue)
        $none | Should -BeNullOrEmpty
        $warnings[0].Message | Should -Match 'matched no file'
    }

    It 'rotates a file once when a symbolic link to it is given too (a wildcard matches both)' -Skip:$IsWindows {
        $link = Join-Path $Folder 'current.env'
        $null = New-Item -ItemType SymbolicLink -Path $link -Target $EnvFile
        $summaries = @(Update-FletString -Path (Join-Path $Folder '*.env') @Old @New -PassThru -ErrorVariable errors -ErrorAction SilentlyContinue)
        $errors | Should -BeNullOrEmpty
        $summaries.Count | Should -Be 1
        $summaries[0].TokensRotated | Should -Be 2
        (Get-Item -LiteralPath $link).LinkType | Should -Be 'SymbolicLink'
        $text = [System.Text.Encoding]::UTF8.GetString([System.IO.File]::ReadAllBytes($EnvFile))
        Open-WithB ([regex]::Matches($text, $TokenPattern).Value) | Should -BeExactly 'fernet value', 'gcm value'
    }

    It 'refuses a pipe or a device at once (never waits on a FIFO nor reads /dev/zero without end) and goes on' -Skip:$IsWindows {
        $fifo = Join-Path $Folder 'secrets.fifo'
        & mkfifo $fifo
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $out = Update-FletString -LiteralPath $fifo, '/dev/zero', $EnvFile @Old @New -PassThru -ErrorVariable errors -ErrorAction SilentlyContinue
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
        $errors.Count | Should -Be 2
        $errors | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'FletSecret.NotRegularFile,*' }
        $errors[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $errors[0].ErrorDetails.Message | Should -Match 'a pipe or FIFO, not a regular file'
        $errors[1].ErrorDetails.Message | Should -Match 'a character device'
        $out.TokensRotated | Should -Be 2
    }

    It 'keeps a UTF-16 file''s encoding and a file without tokens as it is' {
        $utf16 = Join-Path $Folder 'settings.json'
        [System.IO.File]::WriteAllText($utf16, "{ `"token`": `"$Fernet`", `"name`": `"Ünïcode`" }`n", [System.Text.UnicodeEncoding]::new($false, $true))
        $plain = Join-Path $Folder 'plain.env'
        [System.IO.File]::WriteAllText($plain, "A=1`nB=two`n")
        $plainBytes = [System.IO.File]::ReadAllBytes($plain)
        $out = Update-FletString -LiteralPath $utf16, $plain @Old @New -PassThru
        $out[0].Encoding | Should -Be 'UTF-16LE'
        $out[0].TokensRotated | Should -Be 1
        $out[1].TokensFound | Should -Be 0
        [System.IO.File]::ReadAllBytes($plain) | Should -Be $plainBytes
        $text = [System.IO.File]::ReadAllText($utf16, [System.Text.Encoding]::Unicode)
        Get-Skeleton $text | Should -BeExactly "{ `"token`": `"<token>`", `"name`": `"Ünïcode`" }`n"
        Open-WithB ([regex]::Match($text, $TokenPattern).Value) | Should -BeExactly 'fernet value'
    }

    It 'keeps the file''s permissions' -Skip:$IsWindows {
        & chmod 640 $EnvFile
        Update-FletString -LiteralPath $EnvFile @Old @New
        (& stat -c '%a' $EnvFile) | Should -Be '640'
    }

    It 'keeps the file''s owner and group when run as root (sudo on an app''s .env)' -Skip:($IsWindows -or (& id -u) -ne '0') {
        & chown 65534:65534 $EnvFile
        & chmod 640 $EnvFile
        (Update-FletString -LiteralPath $EnvFile @Old @New -PassThru).TokensRotated | Should -Be 2
        (& stat -c '%u:%g %a' $EnvFile) | Should -Be '65534:65534 640'
    }

    It 'shows a summary of zero and touches nothing for a file of look-alikes that are no token' {
        $lookalikes = Join-Path $Folder 'lookalikes.env'
        $jwt = 'eyJhbGciOiJIUzI1NiJ9.' + $Gcm + '.c2lnbmF0dXJl'
        [System.IO.File]::WriteAllText($lookalikes, "JWT=$jwt`nPLACEHOLDER=$('x' * 120)`nWORD=x$Fernet`n")
        $before = [System.IO.File]::ReadAllBytes($lookalikes)
        (Update-FletString -LiteralPath $lookalikes @Old @New -PassThru).TokensFound | Should -Be 0
        [System.IO.File]::ReadAllBytes($lookalikes) | Should -Be $before
    }

    It 'rotates a .env that also holds a hex app secret and a SHA-512 digest (they are not taken for tokens)' {
        # FLET_SECRET_KEY from `openssl rand -hex 48` (96 characters) beside the tokens, as a .env commonly has it.
        $hexKey = -join (1..48 | ForEach-Object { '{0:x2}' -f (Get-Random -Maximum 256) })
        $digest = -join ([System.Security.Cryptography.SHA512]::HashData([byte[]](1, 2, 3)) | ForEach-Object { '{0:x2}' -f $_ })
        $text = "FLET_SECRET_KEY=$hexKey`nCHECKSUM=$digest`nDB_PASSWORD=$Fernet`n"
        [System.IO.File]::WriteAllText($EnvFile, $text)
        $summary = Update-FletString -LiteralPath $EnvFile @Old @New -PassThru -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors | Should -BeNullOrEmpty
        $summary.TokensFound | Should -Be 1
        $summary.TokensRotated | Should -Be 1
        $after = [System.IO.File]::ReadAllText($EnvFile)
        $after | Should -BeLike "FLET_SECRET_KEY=$hexKey`nCHECKSUM=$digest`nDB_PASSWORD=*"
        Open-WithB ($after -split "`n")[2].Substring(12) | Should -BeExactly 'fernet value'
    }

    It 'returns from Stop() (Ctrl+C) promptly during a long derivation, leaving the file as it was' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                    param($Manifest, $Path, $Key)
                    Import-Module $Manifest
                    Update-FletString -LiteralPath $Path -Key $Key -Iterations 20000000 -NewKey $Key
                }).AddParameters(@{ Manifest = $ModuleManifest; Path = $EnvFile; Key = $KeyA })
            $async = $ps.BeginInvoke()
            Start-Sleep -Milliseconds 1500 # imported, and the 20-million-iteration derivations are running (several seconds)
            $async.IsCompleted | Should -BeFalse
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $watch.Stop()
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 2.5
        }
        finally { $ps.Dispose() }
        [System.IO.File]::ReadAllBytes($EnvFile) | Should -Be $EnvBytes
        Get-ChildItem -LiteralPath $Folder -Force | ForEach-Object Name | Should -Be 'app.env'
    }

    It 'leaves the old file or the new one, never a half, when the process is killed while it writes' {
        # A large file, so that the write lasts long enough to be caught: tokens at both ends, 48 MiB of lines between.
        $big = Join-Path $Folder 'big.env'
        $line = "# filler line of a large generated config file, to make the write take a while .........`n"
        $filler = [System.Text.StringBuilder]::new()
        $null = $filler.Append("FIRST=$Fernet`n")
        $chunk = $line * 1024
        for ($i = 0; $i -lt 48 * 1024 * 1024 / $chunk.Length; $i++) { $null = $filler.Append($chunk) }
        $null = $filler.Append("LAST=$Gcm`n")
        [System.IO.File]::WriteAllText($big, $filler.ToString())
        $original = [System.IO.File]::ReadAllBytes($big)
        $filler = $null

        $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$ModuleManifest'
Update-FletString -LiteralPath '$big' -KeyEnvironmentVariable FLETSECRET_TEST_A -Iterations $FastIterations -NewKeyEnvironmentVariable FLETSECRET_TEST_B -NewIterations $($FastIterations + 1)
'rotated'
"@
        $file = Join-Path $Folder 'child.ps1'
        Set-Content -LiteralPath $file -Value $script
        $pwsh = Get-PwshCommand
        $info = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
        foreach ($argument in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $file)) { $info.ArgumentList.Add($argument) }
        $info.Environment['FLETSECRET_TEST_A'] = $SecretA
        $info.Environment['FLETSECRET_TEST_B'] = $SecretB
        $info.UseShellExecute = $false
        $info.RedirectStandardOutput = $true
        $process = [System.Diagnostics.Process]::Start($info)
        try {
            # Killed the moment the temporary file beside it exists: the new content is being written or flushed.
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            $caught = $false
            while (-not $process.HasExited -and $clock.Elapsed.TotalSeconds -lt 120) {
                if ([System.IO.Directory]::GetFiles($Folder, '.big.env.*.tmp').Count -gt 0) {
                    $process.Kill()
                    $caught = $true
                    break
                }
            }
            $process.WaitForExit()
        }
        finally { if (-not $process.HasExited) { $process.Kill() } }
        $caught | Should -BeTrue -Because 'the kill should land while the new content is written (else this proves nothing)'

        $after = [System.IO.File]::ReadAllBytes($big)
        $isOld = $after.Length -eq $original.Length -and [System.Linq.Enumerable]::SequenceEqual($after, $original)
        if (-not $isOld) {
            # Else it must be the whole new file: the same skeleton, with tokens that open under the new key.
            $text = [System.Text.Encoding]::UTF8.GetString($after)
            Get-Skeleton $text | Should -BeExactly (Get-Skeleton ([System.Text.Encoding]::UTF8.GetString($original)))
            Open-WithB ([regex]::Matches($text, $TokenPattern).Value) | Should -BeExactly 'fernet value', 'gcm value'
        }
        # A later run finishes the job (and a stray temporary file is only that).
        Get-ChildItem -LiteralPath $Folder -Force -Filter '.big.env.*.tmp' | Remove-Item -Force
        (Update-FletString -LiteralPath $big @Old @New -PassThru -ErrorAction SilentlyContinue).TokensFound | Should -Be 2
    }
}
