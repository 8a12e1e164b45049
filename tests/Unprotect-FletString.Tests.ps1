BeforeAll {
    . "$PSScriptRoot/common.ps1"
    $script:Passphrase = 'unprotect tests passphrase'
    $script:Key = New-TestKey $Passphrase
    $script:OtherKey = New-TestKey 'a different passphrase'
}

Describe 'Unprotect-FletString' {
    Context 'The shared Flet vectors (made by Python cryptography)' {
        It 'decrypts vector <Index>: <Iterations> iterations' -ForEach @(
            $i = 0
            (Get-Content -Raw -LiteralPath "$PSScriptRoot/data/flet-vectors.json" | ConvertFrom-Json).cases | ForEach-Object {
                @{ Index = $i++; Secret = $_.secret; Plaintext = $_.plaintext; Iterations = $_.iterations; Token = $_.token }
            }
        ) {
            $secure = ConvertTo-SecureString -String $Secret -AsPlainText -Force
            $plain = Unprotect-FletString -InputObject $Token -Key $secure -Iterations $Iterations
            $plain | Should -BeExactly $Plaintext
        }

        It 'reads old (100000) and new (600000) Flet tokens in one call with -Iterations 600000,100000' {
            $old = $FletVectors | Where-Object iterations -EQ 100000 | Select-Object -First 1
            $new = $FletVectors | Where-Object { $_.iterations -eq 600000 -and $_.secret -eq $old.secret } | Select-Object -First 1
            if (-not $new) {
                # The vectors pair each secret with both counts only sometimes: make a new-format token with the same secret.
                $secure = ConvertTo-SecureString -String $old.secret -AsPlainText -Force
                $new = [pscustomobject]@{ token = Protect-FletString 'new format' -Key $secure; plaintext = 'new format' }
            }
            $secure = ConvertTo-SecureString -String $old.secret -AsPlainText -Force
            $new.token, $old.token | Unprotect-FletString -Key $secure -Iterations 600000, 100000 |
                Should -BeExactly $new.plaintext, $old.plaintext
        }
    }

    Context 'Output' {
        It 'writes a string by default and a read-only SecureString with -AsSecureString' {
            $token = Protect-FletString 'secure out' -Key $Key -Iterations $FastIterations
            Unprotect-FletString $token -Key $Key -Iterations $FastIterations | Should -BeOfType [string]
            $secure = Unprotect-FletString $token -Key $Key -Iterations $FastIterations -AsSecureString
            $secure | Should -BeOfType [System.Security.SecureString]
            $secure.IsReadOnly() | Should -BeTrue
            [System.Net.NetworkCredential]::new('', $secure).Password | Should -BeExactly 'secure out'
        }

        It 'declares String and SecureString output' {
            (Get-Command Unprotect-FletString).OutputType.Type | Should -Be ([string], [securestring])
        }

        It 'accepts tokens with white space around or inside (wrapped lines), without padding, or in the + / alphabet' {
            $token = Protect-FletString 'tolerant' -Key $Key -Iterations $FastIterations
            $wrapped = ($token -split '(.{40})' | Where-Object { $_ }) -join "`r`n"
            $variants = "  $token`n", $wrapped, $token.TrimEnd('='), ($token.Replace('-', '+').Replace('_', '/'))
            $variants | Unprotect-FletString -Key $Key -Iterations $FastIterations | Should -Be 'tolerant', 'tolerant', 'tolerant', 'tolerant'
        }

        It 'binds Import-Csv rows by property name (Token column)' {
            $tokens = 'r1', 'r2' | Protect-FletString -Key $Key -Iterations $FastIterations
            $csv = Join-Path $TestDrive 'tokens.csv'
            $tokens | ForEach-Object { [pscustomobject]@{ Name = 'row'; Token = $_ } } | Export-Csv -LiteralPath $csv -NoTypeInformation
            Import-Csv -LiteralPath $csv | Unprotect-FletString -Key $Key -Iterations $FastIterations | Should -Be 'r1', 'r2'
        }
    }

    Context 'Per-item errors' {
        BeforeAll {
            $script:Good1 = Protect-FletString 'first-plaintext-91c2' -Key $Key -Iterations $FastIterations
            $script:Bad = Protect-FletString 'middle-plaintext-5e7d' -Key $OtherKey -Iterations $FastIterations
            $script:Good2 = Protect-FletString 'last-plaintext-a04b' -Key $Key -Iterations $FastIterations
        }

        It 'writes the two good outputs and one AuthenticationFailed error for a wrong key in the middle' {
            $out = $Good1, $Bad, $Good2 | Unprotect-FletString -Key $Key -Iterations $FastIterations -ErrorVariable err -ErrorAction SilentlyContinue
            $out | Should -Be 'first-plaintext-91c2', 'last-plaintext-a04b'
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -Be 'FletSecret.AuthenticationFailed,FletSecret.Commands.UnprotectFletStringCommand'
            $err[0].CategoryInfo.Category | Should -Be 'SecurityError'
            $err[0].TargetObject | Should -BeExactly $Bad
            $err[0].ErrorDetails.RecommendedAction | Should -Match '-Iterations 600000,100000'
        }

        It 'shows neither the passphrase nor any plaintext in any stream' {
            $records = $Good1, $Bad, $Good2 | Unprotect-FletString -Key $Key -Iterations $FastIterations -Verbose -Debug -InformationAction Continue -ErrorAction Continue *>&1 |
                Where-Object { $_ -isnot [string] }
            $records | Should -Not -BeNullOrEmpty
            $text = (Get-AllStreamText $records) -join "`n"
            $text | Should -Not -Match 'unprotect tests passphrase'
            $text | Should -Not -Match 'a different passphrase'
            $text | Should -Not -Match 'plaintext-'
        }

        It 'makes the error terminating with -ErrorAction Stop, after the earlier output' {
            $seen = [System.Collections.Generic.List[string]]::new()
            { $Good1, $Bad, $Good2 | Unprotect-FletString -Key $Key -Iterations $FastIterations -ErrorAction Stop | ForEach-Object { $seen.Add($_) } } |
                Should -Throw -ErrorId 'FletSecret.AuthenticationFailed,FletSecret.Commands.UnprotectFletStringCommand'
            $seen | Should -Be 'first-plaintext-91c2'
        }

        It 'reports InvalidToken for text that is not a token, with the token as target' -ForEach @(
            @{ Token = 'not a token at all' }
            @{ Token = '' }
            @{ Token = 'AAAA' }
        ) {
            $Token | Unprotect-FletString -Key $Key -Iterations $FastIterations -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'FletSecret.InvalidToken,*'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $err[0].TargetObject | Should -BeExactly $Token
        }

        It 'reports a truncated token as InvalidToken' {
            $Good1.Substring(0, $Good1.Length - 9) | Unprotect-FletString -Key $Key -Iterations $FastIterations -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'FletSecret.InvalidToken,*'
        }
    }

    Context '-Iterations' {
        It 'tries the counts in order and uses the one that authenticates' {
            $token = Protect-FletString 'legacy' -Key $Key -Iterations 2000
            Unprotect-FletString $token -Key $Key -Iterations 1000, 2000 | Should -Be 'legacy'
        }

        It 'names every count it tried when none fits' {
            $token = Protect-FletString 'no fit' -Key $Key -Iterations 3000
            Unprotect-FletString $token -Key $Key -Iterations 1000, 2000 -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].ErrorDetails.RecommendedAction | Should -Match 'Tried 1000, 2000'
        }

        It 'refuses a count below 1' {
            { Unprotect-FletString 'x' -Key $Key -Iterations 600000, 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,FletSecret.Commands.UnprotectFletStringCommand'
        }
    }

    Context '-MaxAge' {
        It 'reads a fresh token and refuses an old one with TokenExpired' {
            $fresh = Protect-FletString 'fresh' -Key $Key -Iterations $FastIterations
            Unprotect-FletString $fresh -Key $Key -Iterations $FastIterations -MaxAge (New-TimeSpan -Minutes 5) | Should -Be 'fresh'
            Start-Sleep -Milliseconds 2100
            Unprotect-FletString $fresh -Key $Key -Iterations $FastIterations -MaxAge ([timespan]::Zero) -ErrorVariable err -ErrorAction SilentlyContinue |
                Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'FletSecret.TokenExpired,*'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
        }

        It 'has no age limit without -MaxAge, as Flet has none (a 2023 vector still decrypts)' {
            $vector = $FletVectors[0]
            $secure = ConvertTo-SecureString -String $vector.secret -AsPlainText -Force
            Unprotect-FletString $vector.token -Key $secure -Iterations $vector.iterations | Should -BeExactly $vector.plaintext
            Unprotect-FletString $vector.token -Key $secure -Iterations $vector.iterations -MaxAge (New-TimeSpan -Days 1) -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -BeLike 'FletSecret.TokenExpired,*'
        }

        It 'refuses a negative -MaxAge' {
            { Unprotect-FletString 'x' -Key $Key -MaxAge (New-TimeSpan -Seconds -1) } | Should -Throw -ErrorId 'ParameterArgumentValidationError,FletSecret.Commands.UnprotectFletStringCommand'
        }
    }
}
