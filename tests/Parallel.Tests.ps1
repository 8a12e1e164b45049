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
