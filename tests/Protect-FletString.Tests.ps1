BeforeAll {
    . "$PSScriptRoot/common.ps1"
    $script:Passphrase = 'protect tests passphrase'
    $script:Key = New-TestKey $Passphrase
    $script:TokenPattern = '^[A-Za-z0-9_-]+={0,2}$'
}

Describe 'Protect-FletString' {
    Context 'Round trips' {
        It 'encrypts each string of an array into a token that Unprotect-FletString reads back' {
            $plain = 'one', '', 'ünïcödé 🔑', "line1`nline2"
            $tokens = Protect-FletString -InputObject $plain -Key $Key -Iterations $FastIterations
            $tokens.Count | Should -Be 4
            $tokens | ForEach-Object { $_ | Should -Match $TokenPattern; $_.Length % 4 | Should -Be 0 }
            $tokens | Unprotect-FletString -Key $Key -Iterations $FastIterations | Should -Be $plain
        }

        It 'gives every token its own salt unless -ReuseSalt is given' {
            $tokens = 'a', 'b', 'c' | Protect-FletString -Key $Key -Iterations $FastIterations
            ($tokens | Get-FletTokenInfo).Salt | Select-Object -Unique | Should -HaveCount 3
            $shared = 'a', 'b', 'c' | Protect-FletString -Key $Key -Iterations $FastIterations -ReuseSalt
            ($shared | Get-FletTokenInfo).Salt | Select-Object -Unique | Should -HaveCount 1
            $shared | Unprotect-FletString -Key $Key -Iterations $FastIterations | Should -Be 'a', 'b', 'c'
        }

        It 'takes the position-0 argument as input' {
            $token = Protect-FletString 'positional' -Key $Key -Iterations $FastIterations
            Unprotect-FletString $token -Key $Key -Iterations $FastIterations | Should -Be 'positional'
        }

        It 'uses 600000 iterations by default, as Flet 0.27.5 and later do' {
            $token = Protect-FletString 'default count' -Key $Key
            Unprotect-FletString $token -Key $Key -Iterations 600000 | Should -Be 'default count'
            Unprotect-FletString $token -Key $Key -Iterations 100000 -ErrorAction SilentlyContinue -ErrorVariable err | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'FletSecret.AuthenticationFailed,*'
        }

        It 'binds rows from Import-Csv by property name (PlainText column)' {
            $csv = Join-Path $TestDrive 'rows.csv'
            "Name,PlainText`nann,alpha`nbob,beta" | Set-Content -LiteralPath $csv
            $tokens = Import-Csv -LiteralPath $csv | Protect-FletString -Key $Key -Iterations $FastIterations
            $tokens | Unprotect-FletString -Key $Key -Iterations $FastIterations | Should -Be 'alpha', 'beta'
        }

        It 'binds objects with an InputObject property by property name' {
            $tokens = [pscustomobject]@{ InputObject = 'from property' } | Protect-FletString -Key $Key -Iterations $FastIterations
            Unprotect-FletString $tokens -Key $Key -Iterations $FastIterations | Should -Be 'from property'
        }
    }

    Context 'SecureString input' {
        It 'encrypts piped SecureStrings (as from Read-Host -AsSecureString or Get-Secret) by their text' {
            $secure = ConvertTo-SecureString -String 'from a vault' -AsPlainText -Force
            $token = $secure | Protect-FletString -Key $Key -Iterations $FastIterations
            $token | Should -Match $TokenPattern
            Unprotect-FletString $token -Key $Key -Iterations $FastIterations | Should -Be 'from a vault'
        }

        It 'mixes strings and SecureStrings in one pipeline, in order' {
            $secure = ConvertTo-SecureString -String 'secure one' -AsPlainText -Force
            $tokens = 'plain one', $secure, 'plain two' | Protect-FletString -Key $Key -Iterations $FastIterations
            $tokens | Unprotect-FletString -Key $Key -Iterations $FastIterations | Should -Be 'plain one', 'secure one', 'plain two'
        }
    }

    Context 'Key sources' {
        BeforeEach {
            $script:SavedDefault = $env:FLET_SECRET_KEY
            $script:SavedNamed = $env:FLETSECRET_TEST_KEY
        }
        AfterEach {
            $env:FLET_SECRET_KEY = $SavedDefault
            $env:FLETSECRET_TEST_KEY = $SavedNamed
        }

        It 'reads FLET_SECRET_KEY when no key parameter is given' {
            $env:FLET_SECRET_KEY = $Passphrase
            $token = Protect-FletString 'default variable' -Iterations $FastIterations
            Unprotect-FletString $token -Key $Key -Iterations $FastIterations | Should -Be 'default variable'
        }

        It 'reads the variable named by -KeyEnvironmentVariable' {
            $env:FLETSECRET_TEST_KEY = $Passphrase
            $token = Protect-FletString 'named variable' -KeyEnvironmentVariable FLETSECRET_TEST_KEY -Iterations $FastIterations
            Unprotect-FletString $token -Key $Key -Iterations $FastIterations | Should -Be 'named variable'
        }

        It 'accepts -SecretKey as an alias of -Key' {
            $token = Protect-FletString 'alias' -SecretKey $Key -Iterations $FastIterations
            Unprotect-FletString $token -Key $Key -Iterations $FastIterations | Should -Be 'alias'
        }

        It 'stops with KeyNotFound, saying how to give a key, when there is no key at all' {
            $env:FLET_SECRET_KEY = $null
            $err = { Protect-FletString 'x' -Iterations $FastIterations } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'FletSecret.KeyNotFound,*'
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err.Exception.Message | Should -Match '-KeyEnvironmentVariable'
            $err.Exception.Message | Should -Match 'FLET_SECRET_KEY'
        }

        It 'stops with KeyEnvironmentVariableNotFound naming an unset variable' {
            $env:FLETSECRET_TEST_KEY = $null
            $err = { Protect-FletString 'x' -KeyEnvironmentVariable FLETSECRET_TEST_KEY } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'FletSecret.KeyEnvironmentVariableNotFound,*'
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err.Exception.Message | Should -Match 'FLETSECRET_TEST_KEY'
        }

        It 'stops with KeyEnvironmentVariableEmpty for an empty variable (as CI gives a job whose secret is missing)' {
            $script = "Import-Module '$ModuleManifest'; try { 'x' | Protect-FletString -KeyEnvironmentVariable FLETSECRET_TEST_KEY } " +
                "catch { `$_.FullyQualifiedErrorId; `$_.CategoryInfo.Category.ToString(); `$_.Exception.Message }"
            $child = Invoke-ChildPwsh -Script $script -Environment @{ FLETSECRET_TEST_KEY = '' }
            $lines = $child.Output -split "`r?`n"
            $lines[0] | Should -BeLike 'FletSecret.KeyEnvironmentVariableEmpty,*'
            $lines[1] | Should -Be 'InvalidData'
            $lines[2] | Should -Match "'FLETSECRET_TEST_KEY' is empty"
        }

        It 'stops with KeyEmpty for an empty SecureString' {
            $empty = [System.Security.SecureString]::new()
            $err = { Protect-FletString 'x' -Key $empty } | Should -Throw -PassThru
            $err.FullyQualifiedErrorId | Should -BeLike 'FletSecret.KeyEmpty,*'
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
        }

        It 'never prompts: a missing key fails at once in a non-interactive call' {
            $env:FLET_SECRET_KEY = $null
            $started = [Diagnostics.Stopwatch]::StartNew()
            { 'x' | Protect-FletString } | Should -Throw
            $started.Elapsed.TotalSeconds | Should -BeLessThan 5
        }

        It 'offers environment variable names, not values, to tab completion' {
            $env:FLETSECRET_TEST_KEY = 'completion-value-not-shown'
            $line = 'Protect-FletString x -KeyEnvironmentVariable FLETSECRET_TE'
            $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
            $completions.CompletionText | Should -Contain 'FLETSECRET_TEST_KEY'
            ($completions | ForEach-Object { $_.ToolTip + $_.ListItemText }) -join ' ' | Should -Not -Match 'completion-value-not-shown'
        }
    }

    Context 'Parameters' {
        It 'refuses an iteration count below 1' {
            { Protect-FletString 'x' -Key $Key -Iterations 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,FletSecret.Commands.ProtectFletStringCommand'
        }

        It 'refuses a plain string as -Key, so that a key is never typed on a command line' {
            { Protect-FletString 'x' -Key 'typed key' } | Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,FletSecret.Commands.ProtectFletStringCommand'
        }

        It 'declares String output' {
            (Get-Command Protect-FletString).OutputType.Type | Should -Be ([string])
        }

        It 'has one parameter set per key source' {
            (Get-Command Protect-FletString).ParameterSets.Name | Sort-Object | Should -Be 'DefaultKey', 'Key', 'KeyEnvironmentVariable', 'KeyFile'
        }
    }

    Context 'Per-item errors' {
        It 'reports a lone surrogate as InvalidText for that item and goes on' {
            $bad = "bad $([char]0xD800) text"
            $tokens = 'first', $bad, 'last' | Protect-FletString -Key $Key -Iterations $FastIterations -ErrorVariable err -ErrorAction SilentlyContinue
            $tokens.Count | Should -Be 2
            $tokens | Unprotect-FletString -Key $Key -Iterations $FastIterations | Should -Be 'first', 'last'
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'FletSecret.InvalidText,*'
            $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $err[0].TargetObject | Should -Be 'InputObject[1]'
        }

        It 'makes a per-item error terminating with -ErrorAction Stop' {
            $bad = "bad $([char]0xDC00)"
            { 'ok', $bad, 'never' | Protect-FletString -Key $Key -Iterations $FastIterations -ErrorAction Stop } |
                Should -Throw -ErrorId 'FletSecret.InvalidText,FletSecret.Commands.ProtectFletStringCommand'
        }
    }

    Context 'Verbose' {
        It 'names the key source and the iteration count, never the key' {
            $env:FLETSECRET_TEST_KEY = $Passphrase
            try {
                $verbose = Protect-FletString 'v' -KeyEnvironmentVariable FLETSECRET_TEST_KEY -Iterations 1234 -Verbose 4>&1 |
                    Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            }
            finally { $env:FLETSECRET_TEST_KEY = $null }
            $text = $verbose.Message -join "`n"
            $text | Should -Match "environment variable 'FLETSECRET_TEST_KEY'"
            $text | Should -Match '1234'
            $text | Should -Not -Match ([regex]::Escape($Passphrase))
        }

        It 'writes its settings line under $VerbosePreference as a script sets it (a string), and none under -Verbose:$false' {
            # `$VerbosePreference = 'Continue'` in a script block or function makes a local variable holding a string.
            $shown = & {
                $VerbosePreference = 'Continue'
                Protect-FletString 'v' -Key $Key -Iterations 1234 4>&1
            } | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            $shown.Message -join "`n" | Should -Match 'Key: the -Key SecureString\..*1234'
            $hidden = & {
                $VerbosePreference = 'Continue'
                Protect-FletString 'v' -Key $Key -Iterations 1234 -Verbose:$false 4>&1
            } | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            $hidden | Should -BeNullOrEmpty
        }

        It 'names the engine that derives one key at a time, and FLETSECRET_NATIVE=0 switches the native one off' {
            $script = @"
Import-Module '$ModuleManifest'
`$key = ConvertTo-SecureString -String 'engine' -AsPlainText -Force
foreach (`$record in 'v' | Protect-FletString -Key `$key -Iterations 1000 -Verbose 4>&1) {
    if (`$record -is [System.Management.Automation.VerboseRecord]) { 'VERBOSE ' + `$record.Message } else { 'TOKEN ' + `$record }
}
"@
            $on = Invoke-ChildPwsh -Script $script -Environment @{ FLETSECRET_NATIVE = '' }
            $off = Invoke-ChildPwsh -Script $script -Environment @{ FLETSECRET_NATIVE = '0' }
            $on.ExitCode | Should -Be 0 -Because $on.Error
            $off.ExitCode | Should -Be 0 -Because $off.Error
            $off.Output | Should -Match 'one key at a time: platform PBKDF2 \(Rfc2898DeriveBytes\); native engine switched off \(FLETSECRET_NATIVE=0\)'
            if ($IsLinux) {
                $on.Output | Should -Match 'one key at a time: native PBKDF2 over SHA256_Transform \(OpenSSL [0-9.]+, libcrypto\.so\.[0-9.]+\)'
            }
            else {
                $on.Output | Should -Match 'one key at a time: platform PBKDF2 \(Rfc2898DeriveBytes\)'
            }
            # Either engine's token opens with the other's key derivation.
            foreach ($child in $on, $off) {
                $token = ($child.Output -split "`n" | Where-Object { $_ -like 'TOKEN *' } | Select-Object -First 1).Substring(6).Trim()
                Unprotect-FletString -InputObject $token -Key (New-TestKey 'engine') -Iterations 1000 | Should -BeExactly 'v'
            }
        }
    }
}
