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

Describe 'Interop with Python Flet: the AES-GCM pair (encrypt_aes_gcm_256 / decrypt_aes_gcm_256)' -Skip:([bool]$PythonSkip) {
    BeforeAll {
        # A key of more than 64 UTF-8 bytes (longer than an HMAC block), as Flet apps' generated secrets often are.
        $script:LongPassphrase = ('ключ' * 12) + ' 🔑 long key'
        $script:LongKey = New-TestKey $LongPassphrase
    }

    It 'reads what Python''s encrypt_aes_gcm_256 makes at <Iterations> iterations with no extra parameter' -ForEach @(@{ Iterations = 600000 }, @{ Iterations = 100000 }) {
        [System.Text.Encoding]::UTF8.GetByteCount($LongPassphrase) | Should -BeGreaterThan 64
        $tokens = (Invoke-FletPython @{ op = 'encrypt'; algorithm = 'AesGcm'; secret = $LongPassphrase; plaintexts = $Plaintexts; iterations = $Iterations }).tokens
        $tokens.Count | Should -Be $Plaintexts.Count
        ($tokens | Get-FletTokenInfo).Algorithm | Sort-Object -Unique | Should -Be 'AesGcm'
        $tokens | Unprotect-FletString -Key $LongKey -Iterations 600000, 100000 | Should -BeExactly $Plaintexts
    }

    It 'makes -Algorithm AesGcm tokens that Python''s decrypt_aes_gcm_256 reads at <Iterations> iterations' -ForEach @(@{ Iterations = 600000 }, @{ Iterations = 100000 }) {
        $tokens = $Plaintexts | Protect-FletString -Key $LongKey -Iterations $Iterations -Algorithm AesGcm
        $answer = Invoke-FletPython @{ op = 'decrypt'; algorithm = 'AesGcm'; secret = $LongPassphrase; tokens = @($tokens); iterations = $Iterations }
        $answer.plaintexts | Should -BeExactly $Plaintexts
    }

    It 'makes -ReuseSalt AES-GCM tokens that Python reads one by one' {
        $tokens = $Plaintexts | Protect-FletString -Key $Key -Algorithm AesGcm -ReuseSalt
        $answer = Invoke-FletPython @{ op = 'decrypt'; algorithm = 'AesGcm'; secret = $Passphrase; tokens = @($tokens); iterations = 600000 }
        $answer.plaintexts | Should -BeExactly $Plaintexts
    }

    It 'agrees with Python that Flet''s decrypt (Fernet) cannot read an AES-GCM token, nor a wrong key' {
        $token = Protect-FletString 'gcm only' -Key $Key -Iterations 100000 -Algorithm AesGcm
        (Invoke-FletPython @{ op = 'decrypt'; secret = $Passphrase; tokens = @($token); iterations = 100000 }).plaintexts[0] | Should -BeNullOrEmpty
        (Invoke-FletPython @{ op = 'decrypt'; algorithm = 'AesGcm'; secret = 'not the key'; tokens = @($token); iterations = 100000 }).plaintexts[0] | Should -BeNullOrEmpty
        (Invoke-FletPython @{ op = 'decrypt'; algorithm = 'AesGcm'; secret = $Passphrase; tokens = @($token); iterations = 100000 }).plaintexts[0] | Should -BeExactly 'gcm only'
    }
}
