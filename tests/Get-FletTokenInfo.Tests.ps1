BeforeAll {
    . "$PSScriptRoot/common.ps1"
}

Describe 'Get-FletTokenInfo' {
    It 'shows the salt, time and sizes of Flet vector <Index> without a key' -ForEach @(
        $i = 0
        (Get-Content -Raw -LiteralPath "$PSScriptRoot/data/flet-vectors.json" | ConvertFrom-Json).cases | ForEach-Object {
            @{ Index = $i++; Vector = $_ }
        }
    ) {
        $info = Get-FletTokenInfo -InputObject $Vector.token
        $info.IsValid | Should -BeTrue
        $info.Problem | Should -BeNullOrEmpty
        $info.Salt | Should -BeExactly $Vector.salt
        $info.Timestamp | Should -Be ([DateTimeOffset]::FromUnixTimeSeconds($Vector.timestamp))
        $bytes = [System.Text.Encoding]::UTF8.GetByteCount([string]$Vector.plaintext)
        $info.CiphertextLength | Should -Be (([math]::Floor($bytes / 16) + 1) * 16)
        $bytes | Should -BeGreaterOrEqual $info.MinPlaintextLength
        $bytes | Should -BeLessOrEqual $info.MaxPlaintextLength
    }

    It 'reports an invalid token as IsValid $false with the reason, not as an error' {
        $info = 'not a token', '' | Get-FletTokenInfo -ErrorVariable err
        $err.Count | Should -Be 0
        $info.Count | Should -Be 2
        $info.IsValid | Should -Be $false, $false
        $info[0].Problem | Should -Match 'not a Flet token'
        $info[0].Token | Should -Be 'not a token'
    }

    It 'finds tokens older than a given age, for audits and rotation' {
        $key = New-TestKey
        $fresh = Protect-FletString 'new' -Key $key -Iterations $FastIterations
        $old = $FletVectors[0].token
        $stale = $fresh, $old | Get-FletTokenInfo | Where-Object Age -GT (New-TimeSpan -Days 365)
        $stale.Token | Should -Be $old
    }

    It 'binds rows by property name (Token column)' {
        $rows = $FletVectors | Select-Object -First 2 | ForEach-Object { [pscustomobject]@{ Id = 1; Token = $_.token } }
        ($rows | Get-FletTokenInfo).IsValid | Should -Be $true, $true
    }

    It 'declares its output type' {
        (Get-Command Get-FletTokenInfo).OutputType.Type.FullName | Should -Be 'FletSecret.FletTokenInfo'
    }
}
