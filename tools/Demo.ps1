<#
.SYNOPSIS
The demo build.ps1 -Task Demo runs: encrypt and decrypt a sample string with FletSecret, and show the Python
that reads the same token with Flet.
#>
$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent $PSScriptRoot
. (Join-Path $PSScriptRoot 'Processes.ps1')
Import-Module (Join-Path $root 'out/FletSecret/FletSecret.psd1') -Force

# A sample key for the demo only, printed below so that the Python lines run as shown. Real keys come from a vault,
# a CI secret or a mounted secret file, and are never printed.
$sampleKey = 'demo key: correct horse battery staple'
$env:FLET_SECRET_KEY = $sampleKey
$plaintext = 'Hello from PowerShell to Flet!'

$started = [Diagnostics.Stopwatch]::StartNew()
$token = Protect-FletString -InputObject $plaintext
$encryptMs = $started.Elapsed.TotalMilliseconds
$started.Restart()
$roundTrip = Unprotect-FletString -InputObject $token
$decryptMs = $started.Elapsed.TotalMilliseconds
$info = Get-FletTokenInfo -InputObject $token

# A Python string literal: the key and the token hold no quote or backslash, but the demo should not rely on it.
function ConvertTo-PythonString([string] $Text) { "'" + $Text.Replace('\', '\\').Replace("'", "\'") + "'" }

Write-Host ''
Write-Host "Key       : $(ConvertTo-PythonString $sampleKey), a sample for this demo only, in the environment variable FLET_SECRET_KEY"
Write-Host "            (600000 PBKDF2 iterations, as Flet 0.27.5+)"
Write-Host "Plaintext : $plaintext"
Write-Host "Token     : $token"
Write-Host ("Decrypted : {0}   (encrypt {1:0} ms, decrypt {2:0} ms)" -f $roundTrip, $encryptMs, $decryptMs)
Write-Host "Salt      : $($info.Salt), made $($info.Timestamp.ToString('u'))"
if ($roundTrip -cne $plaintext) { throw 'The round trip did not give the plaintext back.' }

Write-Host ''
Write-Host 'The same token in a Flet app (Python), with the same sample key (an app would read it from FLET_SECRET_KEY):'
Write-Host ''
Write-Host '    from flet.security import decrypt'
Write-Host "    print(decrypt($(ConvertTo-PythonString $token), $(ConvertTo-PythonString $sampleKey)))"
Write-Host ''

$python = Get-PythonCommand
if ($python) {
    $request = @{ op = 'decrypt'; secret = $sampleKey; tokens = @($token); iterations = 600000 } | ConvertTo-Json -Compress
    $answer = $request | & $python.Source (Join-Path $root 'tests/data/flet_reference.py') 2>$null
    if ($LASTEXITCODE -eq 0) {
        Write-Host "Python (Flet's algorithm with the cryptography package) decrypts it to: $(($answer | ConvertFrom-Json).plaintexts[0])"
    }
    else {
        Write-Host "(python3 is here but could not run Flet's algorithm: install the 'cryptography' package to see Python read the token.)"
    }
}
