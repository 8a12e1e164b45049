# Live pipelines (issue 16) and the pipeline points of issue 17: input read inside ProcessRecord, null items,
# SecureString tokens, a bounded key cache, a prompt stop, and no helper type in the syntax.
BeforeAll {
    . "$PSScriptRoot/common.ps1"
    $script:Passphrase = 'pipeline tests passphrase'
    $script:Key = New-TestKey $Passphrase

    # Runs upstream | $Command @Arguments | a recorder, where the upstream records 'in N' before it writes item N and
    # then pauses; the recorder adds 'out' for each output. Returns the events in the order they happened.
    function Get-PipelineEvents {
        param([object[]] $Items, [string] $Command, [hashtable] $Arguments, [int] $PauseMilliseconds = 400)
        $events = [System.Collections.Generic.List[string]]::new()
        & {
            for ($i = 0; $i -lt $Items.Count; $i++) {
                $events.Add("in $($i + 1)")
                $Items[$i]
                Start-Sleep -Milliseconds $PauseMilliseconds
            }
        } | & $Command @Arguments | ForEach-Object { $events.Add('out') }
        , $events.ToArray()
    }
}

Describe 'Slow upstream: each output is written before the next input is produced (issue 16)' {
    BeforeAll {
        $script:Expected = 'in 1', 'out', 'in 2', 'out', 'in 3', 'out'
        $script:Tokens = 'one', 'two', 'three' | Protect-FletString -Key $Key -Iterations $FastIterations
        $keyFile = Join-Path $TestDrive 'stream.key'
        Set-Content -LiteralPath $keyFile -Value $Passphrase -NoNewline
        if (-not $IsWindows) { & chmod 600 $keyFile }
        $script:KeyFile = $keyFile
    }
    BeforeEach { $env:FLET_SECRET_KEY = $Passphrase; $env:FLETSECRET_STREAM_KEY = $Passphrase }
    AfterEach { $env:FLET_SECRET_KEY = $null; $env:FLETSECRET_STREAM_KEY = $null }

    It 'Protect-FletString <Case>' -ForEach @(
        @{ Case = 'with -Key'; Arguments = @{ Key = $null } }
        @{ Case = 'with -ReuseSalt'; Arguments = @{ Key = $null; ReuseSalt = $true } }
        @{ Case = 'with -ThrottleLimit 1'; Arguments = @{ Key = $null; ThrottleLimit = 1 } }
        @{ Case = 'with -KeyEnvironmentVariable'; Arguments = @{ KeyEnvironmentVariable = 'FLETSECRET_STREAM_KEY' } }
        @{ Case = 'with -KeyFile'; Arguments = @{ KeyFile = 'file' } }
        @{ Case = 'with the default key variable'; Arguments = @{} }
    ) {
        $arguments = $Arguments.Clone()
        if ($arguments.ContainsKey('Key')) { $arguments.Key = $Key }
        if ($arguments.ContainsKey('KeyFile')) { $arguments.KeyFile = $KeyFile }
        $arguments.Iterations = $FastIterations
        $arguments.WarningAction = 'SilentlyContinue'
        $events = Get-PipelineEvents -Items 'one', 'two', 'three' -Command Protect-FletString -Arguments $arguments
        $events | Should -Be $Expected
    }

    It 'Unprotect-FletString <Case>' -ForEach @(
        @{ Case = 'with -Key'; Arguments = @{ Key = $null } }
        @{ Case = 'with -ThrottleLimit 1 and -AsSecureString'; Arguments = @{ Key = $null; ThrottleLimit = 1; AsSecureString = $true } }
        @{ Case = 'with the default key variable'; Arguments = @{} }
    ) {
        $arguments = $Arguments.Clone()
        if ($arguments.ContainsKey('Key')) { $arguments.Key = $Key }
        $arguments.Iterations = $FastIterations
        $events = Get-PipelineEvents -Items $Tokens -Command Unprotect-FletString -Arguments $arguments
        $events | Should -Be $Expected
    }

    It 'keeps errors per item and in order with a slow upstream' {
        $events = [System.Collections.Generic.List[string]]::new()
        & {
            foreach ($item in $Tokens[0], 'broken', $Tokens[2]) {
                $events.Add('in')
                $item
                Start-Sleep -Milliseconds 400
            }
        } | Unprotect-FletString -Key $Key -Iterations $FastIterations -ErrorAction Continue 2>&1 | ForEach-Object {
            $events.Add($(if ($_ -is [System.Management.Automation.ErrorRecord]) { 'error' } else { 'out' }))
        }
        $events | Should -Be 'in', 'out', 'in', 'error', 'in', 'out'
    }
}

Describe 'Fast upstream: the window is kept (issue 16)' {
    It 'does not wait for an item whose input came back to back with the one before' {
        # 100000 iterations: a waited item takes tens of milliseconds, far more than the upstream's gap between
        # items, so items 2 to 6 fill the window; item 2's output can only come after item 3 was produced.
        $events = [System.Collections.Generic.List[string]]::new()
        & { foreach ($i in 1..6) { $events.Add("in $i"); "item $i" } } |
            Protect-FletString -Key $Key -Iterations 100000 | ForEach-Object { $events.Add('out') }
        $outs = @(for ($i = 0; $i -lt $events.Count; $i++) { if ($events[$i] -eq 'out') { $i } })
        $events.IndexOf('in 3') | Should -BeLessThan $outs[1] -Because 'item 2 came back to back with item 1, so it was not waited for'
        ($events | Where-Object { $_ -eq 'out' }).Count | Should -Be 6
    }
}

Describe 'Stop (Ctrl+C) while an item is waited for (issues 16 and 17 point 10)' {
    It 'returns from Stop() promptly during a 20-million-iteration derivation of <Cmdlet>, writing nothing' -ForEach @(
        @{ Cmdlet = 'Protect-FletString' }
        @{ Cmdlet = 'Unprotect-FletString' }
    ) {
        $token = 'x' | Protect-FletString -Key $Key -Iterations 1
        $ps = [powershell]::Create()
        try {
            $started = [System.Threading.ManualResetEventSlim]::new($false)
            $null = $ps.AddScript({
                    param($Manifest, $Key, $Cmdlet, $Token, $Started)
                    Import-Module $Manifest
                    $item = if ($Cmdlet -eq 'Protect-FletString') { 'secret' } else { $Token }
                    & { $Started.Set(); $item } | & $Cmdlet -Key $Key -Iterations 20000000
                }).AddParameters(@{ Manifest = $ModuleManifest; Key = $Key; Cmdlet = $Cmdlet; Token = $token; Started = $started })
            $async = $ps.BeginInvoke()
            $started.Wait([timespan]::FromSeconds(60)) | Should -BeTrue
            Start-Sleep -Milliseconds 300 # the derivation is running (it takes several seconds)
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $watch.Stop()
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $async.IsCompleted | Should -BeTrue
            $ps.Streams.Error | Should -BeNullOrEmpty
            # The derivation alone takes over 3.5 s on an idle 2-core machine; the old code waited for it.
            $watch.Elapsed.TotalSeconds | Should -BeLessThan 2.5
        }
        finally { $ps.Dispose() }
    }
}

Describe 'SecureString input is read inside ProcessRecord (issue 17 point 1)' {
    It 'encrypts each word of a producer that reuses one SecureString (<Case>)' -ForEach @(
        @{ Case = 'default window'; Throttle = 0 }
        @{ Case = '-ThrottleLimit 1'; Throttle = 1 }
    ) {
        $shared = [securestring]::new()
        $arguments = @{ Key = $Key; Iterations = 20000 }
        if ($Throttle) { $arguments.ThrottleLimit = $Throttle }
        $tokens = & {
            foreach ($word in 'alpha', 'bravo', 'charlie') {
                $shared.Clear()
                foreach ($c in $word.ToCharArray()) { $shared.AppendChar($c) }
                $shared
            }
        } | Protect-FletString @arguments
        $tokens | Unprotect-FletString -Key $Key -Iterations 20000 | Should -Be 'alpha', 'bravo', 'charlie'
    }

    It 'encrypts the SecureStrings of a producer that disposes each in finally' {
        function Get-Word {
            foreach ($word in 'delta', 'echo') {
                $secure = ConvertTo-SecureString -String $word -AsPlainText -Force
                try { $secure } finally { $secure.Dispose() }
            }
        }
        $tokens = Get-Word | Protect-FletString -Key $Key -Iterations 20000 -ErrorVariable err
        $err | Should -BeNullOrEmpty
        $tokens | Unprotect-FletString -Key $Key -Iterations 20000 | Should -Be 'delta', 'echo'
    }

    It 'reads a SecureString that holds a NUL character whole' {
        $secure = [securestring]::new()
        foreach ($c in "ab`0cd".ToCharArray()) { $secure.AppendChar($c) }
        $secure | Protect-FletString -Key $Key -Iterations 1 | Unprotect-FletString -Key $Key -Iterations 1 | Should -BeExactly "ab`0cd"
    }

    It 'refuses a SecureString disposed before it was written with InvalidInput, and goes on' {
        $disposed = ConvertTo-SecureString -String 'gone' -AsPlainText -Force
        $disposed.Dispose()
        $tokens = 'before', $disposed, 'after' | Protect-FletString -Key $Key -Iterations 1 -ErrorVariable err -ErrorAction SilentlyContinue
        $tokens | Unprotect-FletString -Key $Key -Iterations 1 | Should -Be 'before', 'after'
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FletSecret.InvalidInput,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }
}

Describe 'Unprotect keeps only the keys it can still use (issue 17 point 3)' {
    It 'holds a bounded number of keys for 300 tokens of distinct salts, and derives each once' {
        $tokens = 1..300 | ForEach-Object { "t$_" } | Protect-FletString -Key $Key -Iterations 1
        # One thread: a window of one SIMD batch at most (16 items), whatever the machine's core count.
        $records = $tokens | Unprotect-FletString -Key $Key -Iterations 1 -ThrottleLimit 1 -Verbose 4>&1
        ($records | Where-Object { $_ -is [string] }).Count | Should -Be 300
        $summary = ($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n"
        $match = [regex]::Match($summary, 'Derived 300 key\(s\), at most (\d+) held at once')
        $match.Success | Should -BeTrue -Because $summary
        [int]$match.Groups[1].Value | Should -BeLessOrEqual 40
    }

    It 'still derives one key for many tokens of one salt, among others' {
        $same = 1..50 | ForEach-Object { "s$_" } | Protect-FletString -Key $Key -Iterations 1 -ReuseSalt
        $others = 1..40 | ForEach-Object { "o$_" } | Protect-FletString -Key $Key -Iterations 1
        $mixed = $same[0..24] + $others + $same[25..49]
        $records = $mixed | Unprotect-FletString -Key $Key -Iterations 1 -ThrottleLimit 1 -Verbose 4>&1
        ($records | Where-Object { $_ -is [string] }).Count | Should -Be 90
        ($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" |
            Should -Match 'Derived 41 key\(s\)'
    }
}

Describe 'Null items (issue 17 point 8)' {
    BeforeAll {
        $script:TokenA = 'a' | Protect-FletString -Key $Key -Iterations 1
        $script:TokenB = 'b' | Protect-FletString -Key $Key -Iterations 1
    }

    It '<Case> gives NullInput for the null item only' -ForEach @(
        @{ Case = "Protect-FletString, piped"; Run = { 'a', $null, 'b' | Protect-FletString -Key $Key -Iterations 1 -ErrorVariable script:err -ErrorAction SilentlyContinue | Unprotect-FletString -Key $Key -Iterations 1 } }
        @{ Case = "Protect-FletString -InputObject"; Run = { Protect-FletString -InputObject 'a', $null, 'b' -Key $Key -Iterations 1 -ErrorVariable script:err -ErrorAction SilentlyContinue | Unprotect-FletString -Key $Key -Iterations 1 } }
        @{ Case = "Unprotect-FletString, piped"; Run = { $TokenA, $null, $TokenB | Unprotect-FletString -Key $Key -Iterations 1 -ErrorVariable script:err -ErrorAction SilentlyContinue } }
        @{ Case = "Unprotect-FletString -InputObject"; Run = { Unprotect-FletString -InputObject $TokenA, $null, $TokenB -Key $Key -Iterations 1 -ErrorVariable script:err -ErrorAction SilentlyContinue } }
    ) {
        $script:err = $null
        & $Run | Should -Be 'a', 'b'
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FletSecret.NullInput,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].TargetObject | Should -Be 'InputObject[1]'
        $err[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }
}

Describe 'SecureString tokens (issue 17 point 9)' {
    BeforeAll {
        $script:Token = 'from a vault' | Protect-FletString -Key $Key -Iterations 1
        $script:SecureToken = ConvertTo-SecureString -String $Token -AsPlainText -Force
    }

    It 'Unprotect-FletString reads a SecureString token as the token' {
        $SecureToken | Unprotect-FletString -Key $Key -Iterations 1 | Should -BeExactly 'from a vault'
        Unprotect-FletString -InputObject $SecureToken, $Token -Key $Key -Iterations 1 | Should -Be 'from a vault', 'from a vault'
    }

    It 'Unprotect-FletString gives the token error of a SecureString that holds no token, with the SecureString as target' {
        $bad = ConvertTo-SecureString -String 'gAAAAA-not-a-token' -AsPlainText -Force
        $bad | Unprotect-FletString -Key $Key -Iterations 1 -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FletSecret.InvalidToken,*'
        $err[0].TargetObject | Should -BeOfType [securestring]
    }

    It 'Get-FletTokenInfo reads a SecureString token, with no string copy in Token' {
        $info = $SecureToken | Get-FletTokenInfo
        $info.IsValid | Should -BeTrue
        $info.Salt | Should -Be ($Token | Get-FletTokenInfo).Salt
        $info.Token | Should -BeNullOrEmpty
    }
}

Describe 'Syntax and binding of InputObject (issue 17 point 14)' {
    It '<Command> shows Object[] for -InputObject, no helper type' -ForEach @(
        @{ Command = 'Protect-FletString' }, @{ Command = 'Unprotect-FletString' }, @{ Command = 'Get-FletTokenInfo' }, @{ Command = 'Update-FletString' }
    ) {
        (Get-Command $Command).Parameters.InputObject.ParameterType | Should -Be ([object[]])
        (Get-Command $Command -Syntax) -join "`n" | Should -Match '\[-InputObject\] <Object\[\]>'
        (Get-Command $Command -Syntax) -join "`n" | Should -Not -Match 'StringOrSecureString'
    }

    It 'Protect-FletString refuses an object that is not text with InvalidInput, naming its type only' {
        [pscustomobject]@{ Name = 'n'; Value = 'v' }, 'ok' | Protect-FletString -Key $Key -Iterations 1 -ErrorVariable err -ErrorAction SilentlyContinue |
            Unprotect-FletString -Key $Key -Iterations 1 | Should -Be 'ok'
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FletSecret.InvalidInput,*'
        $err[0].Exception.Message | Should -Match 'PSCustomObject'
        $err[0].Exception.Message | Should -Not -Match '\bv\b'
    }

    It 'Protect-FletString encrypts a number as its text, as binding to a string would' {
        42 | Protect-FletString -Key $Key -Iterations 1 | Unprotect-FletString -Key $Key -Iterations 1 | Should -BeExactly '42'
        [pscustomobject]@{ PlainText = 42 } | Protect-FletString -Key $Key -Iterations 1 | Unprotect-FletString -Key $Key -Iterations 1 | Should -BeExactly '42'
    }

    # Found in review: a PlainText property that held such a value was encrypted as PowerShell's text of it
    # ('System.Collections.Hashtable', 'a b', 'a b c', '1 2 3'), a wrong plaintext without a word.
    It 'Protect-FletString refuses a PlainText property that holds <Case>, not its text, and goes on' -ForEach @(
        @{ Case = 'a hashtable'; Value = @{ a = 1 }; Type = 'Hashtable' }
        @{ Case = 'an array'; Value = @('a', 'b'); Type = 'Object\[\]' }
        @{ Case = 'a [char[]]'; Value = [char[]]'abc'; Type = 'Char\[\]' }
        @{ Case = 'a byte array'; Value = [byte[]](1, 2, 3); Type = 'Byte\[\]' }
        @{ Case = 'an object'; Value = [pscustomobject]@{ Inner = 'x' }; Type = 'PSCustomObject' }
    ) {
        $rows = [pscustomobject]@{ PlainText = $Value }, [pscustomobject]@{ PlainText = 'ok' }
        $rows | Protect-FletString -Key $Key -Iterations 1 -ErrorVariable err -ErrorAction SilentlyContinue |
            Unprotect-FletString -Key $Key -Iterations 1 | Should -BeExactly 'ok'
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'FletSecret.InvalidInput,*'
        $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $err[0].TargetObject | Should -Be 'InputObject[0]'
        $err[0].Exception.Message | Should -Match "PlainText property that is a $Type"
        $err[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
    }
}
