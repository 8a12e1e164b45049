# Issue 21, points 2 to 4: several keys for reading, New-FletSecretKey, and reading what Flet's base64 reads.
BeforeDiscovery {
    . "$PSScriptRoot/common.ps1"
    $script:PythonSkip = Get-PythonSkipReason
    if ($PythonSkip) { Write-Host "Skipping live Python checks of the key lifecycle: $PythonSkip." }
}

BeforeAll {
    . "$PSScriptRoot/common.ps1"
    $script:OldText = 'old key ' + [guid]::NewGuid()
    $script:NewText = 'new key ' + [guid]::NewGuid()
    $script:OldKey = New-TestKey $OldText
    $script:NewKey = New-TestKey $NewText
    $script:OtherKey = New-TestKey
    $script:Plaintexts = 'under old 1', 'under new 1', 'under old 2 (AES-GCM)', 'under new 2 (AES-GCM)'
    $script:Tokens = @(
        Protect-FletString $Plaintexts[0] -Key $OldKey -Iterations $FastIterations
        Protect-FletString $Plaintexts[1] -Key $NewKey -Iterations $FastIterations
        Protect-FletString $Plaintexts[2] -Key $OldKey -Iterations $FastIterations -Algorithm AesGcm
        Protect-FletString $Plaintexts[3] -Key $NewKey -Iterations $FastIterations -Algorithm AesGcm
    )
}

Describe 'Unprotect-FletString with several keys' {
    It 'opens each token with the key that made it, in input order, from -Key <Order>' -ForEach @(
        @{ Order = 'new, old' }, @{ Order = 'old, new' }
    ) {
        $keys = if ($Order -eq 'new, old') { $NewKey, $OldKey } else { $OldKey, $NewKey }
        $Tokens | Unprotect-FletString -Key $keys -Iterations $FastIterations | Should -BeExactly $Plaintexts
    }

    It 'takes several -KeyEnvironmentVariable names and several -KeyFile paths' {
        $env:FLETSECRET_TEST_OLD = $OldText
        $env:FLETSECRET_TEST_NEW = $NewText
        try {
            $Tokens | Unprotect-FletString -KeyEnvironmentVariable FLETSECRET_TEST_NEW, FLETSECRET_TEST_OLD -Iterations $FastIterations |
                Should -BeExactly $Plaintexts
        }
        finally { Remove-Item Env:FLETSECRET_TEST_OLD, Env:FLETSECRET_TEST_NEW -ErrorAction SilentlyContinue }
        $oldFile = Join-Path $TestDrive 'old.key'; $newFile = Join-Path $TestDrive 'new.key'
        [System.IO.File]::WriteAllText($oldFile, "$OldText`n"); [System.IO.File]::WriteAllText($newFile, $NewText)
        if (-not $IsWindows) { chmod 600 $oldFile $newFile }
        $Tokens | Unprotect-FletString -KeyFile $newFile, $oldFile -Iterations $FastIterations | Should -BeExactly $Plaintexts
    }

    It 'says in -Verbose how many tokens each key opened, by position, and never a key' {
        $verbose = $Tokens + $Tokens[0] | Unprotect-FletString -Key $NewKey, $OldKey -Iterations $FastIterations -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        ($verbose.Message -join "`n") | Should -Match 'Tokens opened by key: 1: 2, 2: 3\.'
        ($verbose.Message -join "`n") | Should -Match 'Keys, tried in this order: key 1: the -Key SecureString; key 2: the -Key SecureString'
        foreach ($secret in $OldText, $NewText) { ($verbose.Message -join "`n") | Should -Not -Match ([regex]::Escape($secret)) }
    }

    It 'derives once per key and salt: a token of the second key costs two derivations, one of the first key one' {
        $verbose = $Tokens | Unprotect-FletString -Key $NewKey, $OldKey -Iterations $FastIterations -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        ($verbose.Message -join "`n") | Should -Match 'Derived 6 key\(s\)'
    }

    It 'gives a token that no key opens FletSecret.AuthenticationFailed saying how many keys were tried, and goes on' {
        $stranger = Protect-FletString 'stranger' -Key $OtherKey -Iterations $FastIterations
        $out = @($Tokens[0], $stranger, $Tokens[1]) | Unprotect-FletString -Key $NewKey, $OldKey -Iterations $FastIterations -ErrorVariable errors -ErrorAction SilentlyContinue
        $out | Should -BeExactly $Plaintexts[0], $Plaintexts[1]
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'FletSecret.AuthenticationFailed,*'
        $errors[0].CategoryInfo.Category | Should -Be 'SecurityError'
        $errors[0].ErrorDetails.Message | Should -Match 'None of the 2 keys opened the token'
        $errors[0].ErrorDetails.RecommendedAction | Should -Match 'Tried 2 keys, each with 1000 PBKDF2 iterations'
        (Get-AllStreamText $errors) -join "`n" | Should -Not -Match ([regex]::Escape($OldText))
    }

    It 'tries every key at every -Iterations count: a 100000-iteration token under the second key opens' {
        $legacy = Protect-FletString 'legacy' -Key $OldKey -Iterations 100000
        $legacy | Unprotect-FletString -Key $NewKey, $OldKey -Iterations 600000, 100000 | Should -BeExactly 'legacy'
    }

    It 'uses a key given twice once, with a warning that names positions only' {
        $warnings = $null
        $Tokens | Unprotect-FletString -Key $NewKey, $OldKey, $NewKey -Iterations $FastIterations -WarningVariable warnings 3>$null |
            Should -BeExactly $Plaintexts
        $warnings.Count | Should -Be 1
        "$($warnings[0])" | Should -Be '-Key key 3 of 3 is the same key as key 1; it is tried once.'
    }

    It 'names every key by the position it was given at, in warnings and -Verbose, when some are given twice' {
        $token = Protect-FletString 'fifth' -Key $NewKey -Iterations $FastIterations
        $records = Unprotect-FletString $token -Key $OldKey, (New-TestKey $OldText), $OtherKey, $OtherKey, $NewKey -Iterations $FastIterations -Verbose 3>&1 4>&1
        $records | Where-Object { $_ -is [string] } | Should -BeExactly 'fifth'
        ($records | Where-Object { $_ -is [System.Management.Automation.WarningRecord] }).Message | Should -BeExactly @(
            '-Key key 2 of 5 is the same key as key 1; it is tried once.'
            '-Key key 4 of 5 is the same key as key 3; it is tried once.'
        )
        $verbose = ($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n"
        $verbose | Should -Match 'Keys, tried in this order: key 1: the -Key SecureString; key 3: the -Key SecureString; key 5: the -Key SecureString\.'
        $verbose | Should -Match 'Tokens opened by key: 1: 0, 3: 0, 5: 1\.'
    }

    It 'stops before any token with an error that names which of several keys is missing' {
        $env:FLETSECRET_TEST_NEW = $NewText
        try {
            { $Tokens | Unprotect-FletString -KeyEnvironmentVariable FLETSECRET_TEST_NEW, FLETSECRET_TEST_UNSET -Iterations $FastIterations -ErrorAction Stop } |
                Should -Throw -ErrorId 'FletSecret.KeyEnvironmentVariableNotFound,FletSecret.Commands.UnprotectFletStringCommand' -ExpectedMessage '-KeyEnvironmentVariable key 2 of 2: *'
        }
        finally { Remove-Item Env:FLETSECRET_TEST_NEW -ErrorAction SilentlyContinue }
    }

    It 'refuses an empty SecureString among several keys with FletSecret.KeyEmpty' {
        { $Tokens | Unprotect-FletString -Key $NewKey, ([securestring]::new()) -Iterations $FastIterations -ErrorAction Stop } |
            Should -Throw -ErrorId 'FletSecret.KeyEmpty,FletSecret.Commands.UnprotectFletStringCommand' -ExpectedMessage '-Key key 2 of 2: *'
    }

    It 'keeps one key for Protect-FletString: its -Key takes one SecureString' {
        (Get-Command Protect-FletString).Parameters['Key'].ParameterType | Should -Be ([securestring])
        (Get-Command Unprotect-FletString).Parameters['Key'].ParameterType | Should -Be ([securestring[]])
    }
}

Describe 'New-FletSecretKey' {
    It 'makes 43 characters of unpadded base64url (32 random bytes) by default, never starting with -' {
        $keys = 1..200 | ForEach-Object { New-FletSecretKey -AsPlainText }
        foreach ($key in $keys) { $key | Should -MatchExactly '^[A-Za-z0-9_][A-Za-z0-9_-]{42}$' }
        ($keys | Sort-Object -Unique).Count | Should -Be 200
        # 32 bytes: 43 characters decode to 32 bytes with the last 2 bits zero, as base64 of 32 bytes has them.
        $bytes = [Convert]::FromBase64String(($keys[0] -replace '-', '+' -replace '_', '/') + '=')
        $bytes.Length | Should -Be 32
    }

    It 'makes -ByteCount <Bytes> bytes as <Length> characters' -ForEach @(
        @{ Bytes = 16; Length = 22 }, @{ Bytes = 33; Length = 44 }, @{ Bytes = 48; Length = 64 }, @{ Bytes = 1024; Length = 1366 }
    ) {
        $key = New-FletSecretKey -ByteCount $Bytes -AsPlainText
        $key.Length | Should -Be $Length
        $padded = ($key -replace '-', '+' -replace '_', '/').PadRight([math]::Ceiling($Length / 4) * 4, '=')
        [Convert]::FromBase64String($padded).Length | Should -Be $Bytes
    }

    It 'refuses -ByteCount <Bytes>, a weak or absurd key' -ForEach @(@{ Bytes = 15 }, @{ Bytes = 0 }, @{ Bytes = 1025 }) {
        { New-FletSecretKey -ByteCount $Bytes } | Should -Throw -ErrorId 'ParameterArgumentValidationError,FletSecret.Commands.NewFletSecretKeyCommand'
    }

    It 'gives a read-only SecureString by default, which encrypts and decrypts as its text does' {
        $secure = New-FletSecretKey
        $secure | Should -BeOfType [securestring]
        $secure.IsReadOnly() | Should -BeTrue
        $secure.Length | Should -Be 43
        $token = Protect-FletString 'with a new key' -Key $secure -Iterations $FastIterations
        $text = [System.Net.NetworkCredential]::new('', $secure).Password
        Unprotect-FletString $token -Key (New-TestKey $text) -Iterations $FastIterations | Should -BeExactly 'with a new key'
    }

    It 'makes keys that Python Flet uses as its secret key' -Skip:([bool]$PythonSkip) {
        $text = New-FletSecretKey -AsPlainText
        $token = Protect-FletString 'flet app secret' -Key (New-TestKey $text) -Iterations $FastIterations
        (Invoke-FletPython @{ op = 'decrypt'; secret = $text; tokens = @($token); iterations = $FastIterations }).plaintexts[0] |
            Should -BeExactly 'flet app secret'
    }
}

Describe 'Reading every token that Flet reads (the base64 of Python)' {
    It 'opens a token followed by text after its padding, as Flet does, with the same text' -Skip:([bool]$PythonSkip) {
        $secret = 'parity ' + [guid]::NewGuid()
        $made = (Invoke-FletPython @{ op = 'encrypt'; secret = $secret; plaintexts = @('after the padding', 'quoted'); iterations = $FastIterations }).tokens
        $made[0] | Should -Match '=$' -Because 'the case needs a token with padding'
        $variants = @("$($made[0])`" # a comment", "`"$($made[1])`",")
        (Invoke-FletPython @{ op = 'decrypt'; secret = $secret; tokens = $variants; iterations = $FastIterations }).plaintexts |
            Should -BeExactly 'after the padding', 'quoted'
        $variants | Unprotect-FletString -Key (New-TestKey $secret) -Iterations $FastIterations | Should -BeExactly 'after the padding', 'quoted'
    }

    It 'opens a Fernet token whose inner layer holds characters Flet skips (<Inserted>), with or without -Algorithm, as Flet does' -ForEach @(
        @{ Inserted = "'.' near the start"; Position = 3; Byte = 0x2E }
        @{ Inserted = 'a byte outside ASCII'; Position = 1; Byte = 0xC3 }
    ) {
        $key = New-TestKey 'inner layer parity'
        $token = Protect-FletString 'skipped inside' -Key $key -Iterations $FastIterations
        # Flet's decrypt reads the Fernet token after the salt with urlsafe_b64decode, which skips such a byte.
        $b64 = $token.Replace('-', '+').Replace('_', '/')
        $bytes = [System.Collections.Generic.List[byte]]::new([Convert]::FromBase64String($b64))
        $bytes.Insert(16 + $Position, [byte]$Byte)
        $mutated = [Convert]::ToBase64String($bytes.ToArray()).Replace('+', '-').Replace('/', '_')
        if (-not $PythonSkip) {
            (Invoke-FletPython @{ op = 'decrypt'; secret = 'inner layer parity'; tokens = @($mutated); iterations = $FastIterations }).plaintexts |
                Should -BeExactly 'skipped inside' -Because 'Flet opens it'
        }
        Unprotect-FletString $mutated -Key $key -Iterations $FastIterations -Algorithm Fernet | Should -BeExactly 'skipped inside'
        Unprotect-FletString $mutated -Key $key -Iterations $FastIterations | Should -BeExactly 'skipped inside'
        Unprotect-FletString $mutated -Key $key -Iterations $FastIterations -AsSecureString | ConvertFrom-SecureString -AsPlainText |
            Should -BeExactly 'skipped inside'
    }

    It 'gives a token whose shape says AES-GCM, and that no key opens as Fernet, the AES-GCM error under -MaxAge' {
        # Its bytes after the salt also read as a Fernet token (one with a skipped byte), but made under another key.
        $token = Protect-FletString 'other key' -Key $OtherKey -Iterations $FastIterations
        $bytes = [System.Collections.Generic.List[byte]]::new([Convert]::FromBase64String($token.Replace('-', '+').Replace('_', '/')))
        $bytes.Insert(18, [byte]0xFF)
        $mutated = [Convert]::ToBase64String($bytes.ToArray()).Replace('+', '-').Replace('/', '_')
        Unprotect-FletString $mutated -Key $NewKey -Iterations $FastIterations -MaxAge (New-TimeSpan -Days 1) -ErrorVariable errors -ErrorAction SilentlyContinue |
            Should -BeNullOrEmpty
        $errors[0].FullyQualifiedErrorId | Should -Match '^FletSecret\.NoTimestamp,'
        Unprotect-FletString $mutated -Key $NewKey, $OtherKey -Iterations $FastIterations -MaxAge (New-TimeSpan -Days 1) | Should -BeExactly 'other key'
    }

    It 'still opens AES-GCM tokens by their shape, and refuses one that is modified' {
        $key = New-TestKey 'gcm shape'
        $tokens = 1..8 | ForEach-Object { "gcm $_" } | Protect-FletString -Key $key -Iterations $FastIterations -Algorithm AesGcm
        $tokens | Unprotect-FletString -Key $key -Iterations $FastIterations | Should -BeExactly (1..8 | ForEach-Object { "gcm $_" })
        $bad = $tokens[0].Substring(0, 70) + $(if ($tokens[0][70] -eq 'A') { 'B' } else { 'A' }) + $tokens[0].Substring(71)
        Unprotect-FletString $bad -Key $key -Iterations $FastIterations -ErrorVariable errors -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errors[0].FullyQualifiedErrorId | Should -Match '^FletSecret\.AuthenticationFailed,'
    }

    It 'still refuses what Flet refuses: a token cut short' {
        $token = Protect-FletString 'cut' -Key $OldKey -Iterations $FastIterations
        $token.Substring(0, $token.Length - 7) | Unprotect-FletString -Key $OldKey -Iterations $FastIterations -ErrorVariable errors -ErrorAction SilentlyContinue |
            Should -BeNullOrEmpty
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Match '^FletSecret\.(InvalidToken|AuthenticationFailed),'
    }
}
