BeforeAll {
    . "$PSScriptRoot/common.ps1"
    $script:Key = New-TestKey 'parallel passphrase'
}

Describe 'Parallel pipelines' {
    It 'keeps input order with -ThrottleLimit <Throttle>' -ForEach @(@{ Throttle = 1 }, @{ Throttle = 3 }, @{ Throttle = 8 }) {
        # Sizes vary so that items finish out of order on the pool.
        $plain = 1..24 | ForEach-Object { "item $_ " + ('z' * (($_ * 7919) % 5000)) }
        $tokens = $plain | Protect-FletString -Key $Key -Iterations 2000 -ThrottleLimit $Throttle
        $tokens | Unprotect-FletString -Key $Key -Iterations 2000 -ThrottleLimit $Throttle | Should -BeExactly $plain
    }

    It 'streams: the first output comes before the last input is produced' {
        $events = [System.Collections.Generic.List[string]]::new()
        & {
            foreach ($i in 1..6) {
                $events.Add("in $i")
                "item $i"
                Start-Sleep -Milliseconds 150
            }
        } | Protect-FletString -Key $Key -Iterations 2000 | ForEach-Object { $events.Add('out') }
        $events.IndexOf('out') | Should -BeLessThan $events.IndexOf('in 6')
        ($events | Where-Object { $_ -eq 'out' }).Count | Should -Be 6
    }

    It 'keeps each error at its item, between the outputs around it' {
        $good = 'a', 'b', 'c' | Protect-FletString -Key $Key -Iterations 2000
        $items = $good[0], 'broken-1', $good[1], 'broken-2', $good[2]
        $merged = $items | Unprotect-FletString -Key $Key -Iterations 2000 -ThrottleLimit 4 -ErrorAction Continue 2>&1
        $merged.Count | Should -Be 5
        $merged[0] | Should -BeExactly 'a'
        $merged[1].TargetObject | Should -BeExactly 'broken-1'
        $merged[2] | Should -BeExactly 'b'
        $merged[3].TargetObject | Should -BeExactly 'broken-2'
        $merged[4] | Should -BeExactly 'c'
    }

    It 'derives a key once per salt and iteration count in one Unprotect call' {
        $tokens = 1..10 | ForEach-Object { "same salt $_" } | Protect-FletString -Key $Key -Iterations 2000 -ReuseSalt
        $other = 'own salt' | Protect-FletString -Key $Key -Iterations 2000
        $verbose = $tokens + $other | Unprotect-FletString -Key $Key -Iterations 2000 -Verbose 4>&1 |
            Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        ($verbose.Message -join "`n") | Should -Match 'Derived 2 key\(s\)'
    }

    It 'refuses -ThrottleLimit 0' {
        { 'x' | Protect-FletString -Key $Key -ThrottleLimit 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,FletSecret.Commands.ProtectFletStringCommand'
    }
}

Describe 'Progress' {
    BeforeAll {
        # Runs a pipeline in its own PowerShell instance, whose Progress stream can be read (a host shows it, but
        # redirection cannot capture it).
        function Invoke-WithProgress {
            param([string] $Script)
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddScript("Import-Module '$ModuleManifest'; `$ProgressPreference = 'Continue'; $Script")
                $output = $ps.Invoke()
                [pscustomobject]@{ Output = $output; Progress = @($ps.Streams.Progress); Errors = @($ps.Streams.Error) }
            }
            finally { $ps.Dispose() }
        }
    }

    It 'shows items done and the rate, without a percentage, when a pipeline of unknown length runs over two seconds' {
        $result = Invoke-WithProgress @'
$key = ConvertTo-SecureString -String 'progress key' -AsPlainText -Force
1..28 | ForEach-Object { Start-Sleep -Milliseconds 100; "item $_" } | Protect-FletString -Key $key -Iterations 1000
'@
        $result.Errors | Should -BeNullOrEmpty
        $result.Output.Count | Should -Be 28
        $running = $result.Progress | Where-Object RecordType -EQ 'Processing'
        $running | Should -Not -BeNullOrEmpty
        $running[0].Activity | Should -Be 'Encrypting Flet tokens'
        $running[0].StatusDescription | Should -Match '^\d+ items, [\d.]+ per second$'
        $running.PercentComplete | Select-Object -Unique | Should -Be -1
        $result.Progress[-1].RecordType | Should -Be 'Completed'
    }

    It 'shows a percentage when the items come as an argument' {
        # One SIMD batch (or a handful of platform derivations) of a slow count: well over two seconds in all.
        $result = Invoke-WithProgress @'
$key = ConvertTo-SecureString -String 'progress key' -AsPlainText -Force
Protect-FletString -InputObject (1..6 | ForEach-Object { "item $_" }) -Key $key -Iterations 6000000 -ThrottleLimit 1
'@
        $result.Output.Count | Should -Be 6
        $running = $result.Progress | Where-Object RecordType -EQ 'Processing'
        $running | Should -Not -BeNullOrEmpty
        $running[-1].StatusDescription | Should -Match '^\d+ of 6 items'
        $running[-1].PercentComplete | Should -BeGreaterThan 0
    }

    It 'shows no progress for a call under two seconds' {
        $result = Invoke-WithProgress @'
$key = ConvertTo-SecureString -String 'progress key' -AsPlainText -Force
1..5 | ForEach-Object { "item $_" } | Protect-FletString -Key $key -Iterations 1000
'@
        $result.Output.Count | Should -Be 5
        $result.Progress | Should -BeNullOrEmpty
    }
}
