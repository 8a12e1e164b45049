# Live interop with Python: the Flet algorithm written out with the cryptography package (tests/data/flet_reference.py).
BeforeDiscovery {
    . "$PSScriptRoot/common.ps1"
    $script:PythonSkip = Get-PythonSkipReason
    if ($PythonSkip) { Write-Host "Skipping live Python interop tests: $PythonSkip." }
}

BeforeAll {
    . "$PSScriptRoot/common.ps1"
    $script:Passphrase = 'interop passphrase 🔑 ключ'
    $script:Key = New-TestKey $Passphrase
    $script:Plaintexts = @('hello', '', 'ünïcödé 密码 🙂', "tab`tand`nnewline", ('x' * 1000))
}

Describe 'Interop with Python Flet' -Skip:([bool]$PythonSkip) {
    It 'decrypts what Python encrypts at <Iterations> iterations' -ForEach @(@{ Iterations = 600000 }, @{ Iterations = 100000 }) {
        $tokens = (Invoke-FletPython @{ op = 'encrypt'; secret = $Passphrase; plaintexts = $Plaintexts; iterations = $Iterations }).tokens
        $tokens.Count | Should -Be $Plaintexts.Count
        $tokens | Unprotect-FletString -Key $Key -Iterations $Iterations | Should -BeExactly $Plaintexts
    }

    It 'makes tokens that Python decrypts at <Iterations> iterations' -ForEach @(@{ Iterations = 600000 }, @{ Iterations = 100000 }) {
        $tokens = $Plaintexts | Protect-FletString -Key $Key -Iterations $Iterations
        $answer = Invoke-FletPython @{ op = 'decrypt'; secret = $Passphrase; tokens = @($tokens); iterations = $Iterations }
        $answer.plaintexts | Should -BeExactly $Plaintexts
    }

    It 'makes -ReuseSalt tokens that Python decrypts one by one' {
        $tokens = $Plaintexts | Protect-FletString -Key $Key -ReuseSalt
        $answer = Invoke-FletPython @{ op = 'decrypt'; secret = $Passphrase; tokens = @($tokens); iterations = 600000 }
        $answer.plaintexts | Should -BeExactly $Plaintexts
    }

    It 'makes tokens from SecureString input that Python decrypts' {
        $secure = ConvertTo-SecureString -String 'from a SecureString' -AsPlainText -Force
        $token = $secure | Protect-FletString -Key $Key
        (Invoke-FletPython @{ op = 'decrypt'; secret = $Passphrase; tokens = @($token); iterations = 600000 }).plaintexts[0] |
            Should -BeExactly 'from a SecureString'
    }

    It 'agrees with Python that a wrong key fails' {
        $token = Protect-FletString 'wrong key' -Key $Key -Iterations 100000
        (Invoke-FletPython @{ op = 'decrypt'; secret = 'not the key'; tokens = @($token); iterations = 100000 }).plaintexts[0] |
            Should -BeNullOrEmpty
    }
}
