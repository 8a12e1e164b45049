# Hostile input and secret hygiene at the cmdlet level (the exhaustive mutation tests are in the xUnit suite).
BeforeAll {
    . "$PSScriptRoot/common.ps1"
    $script:Passphrase = 'hostile-passphrase-3f9a'
    $script:Key = New-TestKey $Passphrase
    $script:Plaintext = 'hostile-plaintext-c61e'
    # One iteration: each of the many decryptions below costs microseconds, not a fifth of a second.
    $script:Token = Protect-FletString $Plaintext -Key $Key -Iterations 1
    $script:Documented = 'FletSecret.InvalidToken', 'FletSecret.AuthenticationFailed', 'FletSecret.TokenExpired', 'FletSecret.TokenFromFuture',
        'FletSecret.NotUtf8Text', 'FletSecret.InputTooLarge'
    $script:Random = [System.Random]::new(20261129)

    # Decrypts each candidate; returns the outputs and errors, checking that every error is a documented one.
    function Test-Candidates {
        param([string[]] $Candidates)
        $outputs = $Candidates | Unprotect-FletString -Key $Key -Iterations 1 -ErrorVariable errs -ErrorAction SilentlyContinue
        foreach ($err in $errs) {
            ($err.FullyQualifiedErrorId -split ',')[0] | Should -BeIn $Documented
            $err.CategoryInfo.Category | Should -Not -Be 'NotSpecified'
        }
        [pscustomobject]@{ Outputs = @($outputs); Errors = @($errs) }
    }
}

Describe 'Mutated tokens (a random sample; the xUnit suite tries every one)' {
    It 'gives an error or the same plaintext for 300 single-character substitutions, never another plaintext' {
        $alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= %é' + [char]0
        $candidates = foreach ($i in 1..300) {
            $chars = $Token.ToCharArray()
            $chars[$Random.Next($chars.Length)] = $alphabet[$Random.Next($alphabet.Length)]
            -join $chars
        }
        $result = Test-Candidates $candidates
        $result.Outputs | Where-Object { $_ -cne $Plaintext } | Should -BeNullOrEmpty
        ($result.Outputs.Count + $result.Errors.Count) | Should -Be 300
        $result.Errors.Count | Should -BeGreaterThan 200
    }

    It 'gives an error for every truncation, except one that removes only padding, which reads the same' {
        $candidates = foreach ($length in 0..($Token.Length - 1)) { $Token.Substring(0, $length) }
        $result = Test-Candidates $candidates
        # Cutting the outer '=' or the last outer characters that hold only the inner token's '=' loses no data.
        $result.Outputs | Where-Object { $_ -cne $Plaintext } | Should -BeNullOrEmpty
        $result.Outputs.Count | Should -BeLessOrEqual 3
        $result.Errors.Count | Should -BeGreaterOrEqual ($candidates.Count - 3)
        ($result.Outputs.Count + $result.Errors.Count) | Should -Be $candidates.Count
    }

    It 'gives an error or the same plaintext for 200 random insertions' {
        $candidates = foreach ($i in 1..200) {
            $Token.Insert($Random.Next($Token.Length + 1), [string][char]$Random.Next(32, 127))
        }
        $result = Test-Candidates $candidates
        $result.Outputs | Where-Object { $_ -cne $Plaintext } | Should -BeNullOrEmpty
        ($result.Outputs.Count + $result.Errors.Count) | Should -Be 200
    }
}

Describe 'Garbage input' {
    It 'answers 1000 random strings with documented errors only' {
        $candidates = foreach ($i in 1..1000) {
            $length = $Random.Next(0, 300)
            -join (1..$length | ForEach-Object { [char]$Random.Next(1, 0x2FF) })
        }
        $result = Test-Candidates $candidates
        $result.Outputs.Count | Should -Be 0
        $result.Errors.Count | Should -Be 1000
    }

    It 'answers 500 base64url strings of random bytes behind a plausible salt and Fernet prefix with documented errors' {
        $candidates = foreach ($i in 1..500) {
            $bytes = [byte[]]::new($Random.Next(1, 200))
            $Random.NextBytes($bytes)
            $inner = 'gAAAAA' + [Convert]::ToBase64String($bytes).Replace('+', '-').Replace('/', '_')
            $salted = [byte[]]::new(16) + [System.Text.Encoding]::ASCII.GetBytes($inner)
            [Convert]::ToBase64String($salted).Replace('+', '-').Replace('/', '_')
        }
        $result = Test-Candidates $candidates
        $result.Outputs.Count | Should -Be 0
    }
}

Describe 'Huge input' {
    It 'refuses a 100 MB token quickly with a documented error, then goes on' {
        $huge = [string]::new([char]'A', 100MB)
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $result = Test-Candidates @($huge, $Token)
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 20
        $result.Errors.Count | Should -Be 1
        $result.Outputs | Should -Be $Plaintext
    }

    It 'round-trips a 50 MB plaintext' {
        $large = [string]::new([char]'x', 50MB)
        $back = $large | Protect-FletString -Key $Key -Iterations 1 | Unprotect-FletString -Key $Key -Iterations 1
        $back.Length | Should -Be $large.Length
        $back -ceq $large | Should -BeTrue
    }

    It 'refuses a plaintext over the documented 64 MiB with InputTooLarge naming the limit' {
        $tooLarge = [string]::new([char]'x', 64MB + 1)
        $tooLarge | Protect-FletString -Key $Key -Iterations 1 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FletSecret.InputTooLarge,*'
        $err[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
        $err[0].Exception.Message | Should -Match '67108864'
    }
}

Describe 'No secret in any stream, error record or $Error' {
    It 'keeps passphrase and plaintext out of every stream of every failing call' {
        $Error.Clear()
        $env:FLETSECRET_HYGIENE_KEY = $Passphrase
        $keyFile = Join-Path $TestDrive 'hygiene.key'
        Set-Content -LiteralPath $keyFile -Value $Passphrase -NoNewline
        if (-not $IsWindows) { & chmod 644 $keyFile } # also draws the permission warning
        $wrongKey = New-TestKey 'another-passphrase-77d0'
        $lone = "$Plaintext $([char]0xD800)"
        try {
            $records = & {
                $Token, 'garbage', $Token.Substring(0, 40) | Unprotect-FletString -Key $wrongKey -Iterations 1, 2 -Verbose -Debug -InformationAction Continue -ErrorAction Continue
                $Token | Unprotect-FletString -KeyEnvironmentVariable FLETSECRET_HYGIENE_KEY -Iterations 1 -MaxAge ([timespan]::Zero) -Verbose -ErrorAction Continue
                $lone | Protect-FletString -KeyFile $keyFile -Iterations 1 -Verbose -ErrorAction Continue
                try { $Plaintext | Protect-FletString -KeyEnvironmentVariable FLETSECRET_HYGIENE_MISSING -ErrorAction Stop } catch { $_ }
            } *>&1
        }
        finally { $env:FLETSECRET_HYGIENE_KEY = $null }
        $kinds = $records | ForEach-Object { $_.GetType().Name } | Sort-Object -Unique
        $kinds | Should -Contain 'ErrorRecord'
        $kinds | Should -Contain 'VerboseRecord'
        $text = (Get-AllStreamText (@($records) + @($Error))) -join "`n"
        $text | Should -Not -BeNullOrEmpty
        $text | Should -Not -Match ([regex]::Escape($Passphrase))
        $text | Should -Not -Match 'another-passphrase-77d0'
        $text | Should -Not -Match ([regex]::Escape($Plaintext))
    }
}
