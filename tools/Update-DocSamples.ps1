<#
.SYNOPSIS
Rewrites the sample outputs of the help examples from a real run of the built module, so that no output in the docs
is typed by hand.

.DESCRIPTION
For each example listed in $samples below, runs the example's own PowerShell blocks (from the markdown in
docs/en-US), in order and in one scope, against out/FletSecret, in a temporary folder that holds the files the
examples read (./db.token, ./tokens.txt, ./secrets.csv, a key file), with a sample key in FLET_SECRET_KEY. Each
block's output replaces the Output block that follows it. Paths that exist only in a container (/run/secrets/app_key)
are replaced by the sample key file for the run; the markdown keeps them.

Tokens are random, so every run writes new ones: every token in the docs is one that the module made and that
decrypts with the sample key. Times written into the sample tokens are relative to the run (an hour ago, more than a
year ago), so ages read the same whatever the day.

Build first (./build.ps1 -Task Build). tests/Docs.Tests.ps1 runs this with -OutputPath and compares.

.PARAMETER OutputPath
A folder to write the updated markdown files into, instead of docs/en-US.
#>
[CmdletBinding()]
param([string] $OutputPath)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = Split-Path -Parent $PSScriptRoot
$docs = Join-Path $root 'docs/en-US'
Import-Module (Join-Path $root 'out/FletSecret/FletSecret.psd1') -Force
if (Get-Variable -Name PSStyle -ErrorAction SilentlyContinue) { $PSStyle.OutputRendering = 'PlainText' }
# Dates and numbers in the invariant culture: the same on every machine and ICU version (en-US under ICU 72+ puts a
# narrow no-break space before AM and PM).
$savedCulture = [cultureinfo]::CurrentCulture
[cultureinfo]::CurrentCulture = [cultureinfo]::InvariantCulture

# The examples whose outputs come from a run: file, example number.
$samples = @(
    @{ File = 'Protect-FletString.md'; Examples = 1, 5, 6, 7, 8, 9 }
    @{ File = 'Get-FletTokenInfo.md'; Examples = 1, 2, 3, 4, 5 }
    @{ File = 'New-FletSecretKey.md'; Examples = 1, 4 }
    @{ File = 'Unprotect-FletString.md'; Examples = , 14 }
)
# Container paths in the examples, read from the sample key file during the run.
$keyFilePaths = '/run/secrets/app_key', '/etc/flet/secret_key'

$sampleKey = 'sample key for the FletSecret docs'
$work = Join-Path ([System.IO.Path]::GetTempPath()) "fletsecret-docs-$([guid]::NewGuid().ToString('N'))"
$null = New-Item -ItemType Directory -Path $work
$savedKey = $env:FLET_SECRET_KEY
$env:FLET_SECRET_KEY = $sampleKey

# Tokens stamped at a given time, as Flet made them then: the cipher's public FletKey API.
function New-SampleToken {
    param([object] $Key, [string] $Text, [DateTimeOffset] $Time)
    $iv = [byte[]]::new(16)
    [System.Security.Cryptography.RandomNumberGenerator]::Create().GetBytes($iv)
    $Key.Encrypt([System.Text.Encoding]::UTF8.GetBytes($Text), $iv, $Time)
}

# The Output block after each PowerShell block of an example: what the block writes, as the console shows it.
function Update-Example {
    param([string] $Markdown, [int] $Number)
    $heading = [regex]::Match($Markdown, "(?m)^### Example $Number\b.*$")
    if (-not $heading.Success) { throw "No 'Example $Number' heading." }
    $next = [regex]::Match($Markdown.Substring($heading.Index + $heading.Length), '(?m)^##')
    $end = if ($next.Success) { $heading.Index + $heading.Length + $next.Index } else { $Markdown.Length }
    $body = $Markdown.Substring($heading.Index, $end - $heading.Index)
    $pairs = [regex]::Matches($body, '(?s)```powershell\r?\n(?<code>.*?)\r?\n```\s*\r?\n```Output\r?\n(?<output>.*?)\r?\n```')
    if ($pairs.Count -eq 0) { throw "Example $Number has no PowerShell block followed by an Output block." }
    $scope = [System.Collections.Generic.List[string]]::new()
    $updated = $body
    foreach ($pair in $pairs) {
        $code = $pair.Groups['code'].Value
        $run = $code
        foreach ($path in $keyFilePaths) { $run = $run.Replace($path, $keyFile) }
        $scope.Add($run)
        # Earlier blocks of the example run again first, quietly, so that the variables they set are there.
        $prefix = ($scope | Select-Object -SkipLast 1 | ForEach-Object { "`$null = & { $_ }" }) -join "`n"
        $text = & ([scriptblock]::Create("$prefix`n$run")) 2>&1 | Out-String -Width 300
        $lines = ($text -split '\r?\n' | ForEach-Object { $_.TrimEnd() })
        $output = ($lines -join "`n").Trim("`n")
        $block = $pair.Value.Replace($pair.Groups['output'].Value, $output)
        $updated = $updated.Replace($pair.Value, $block)
    }
    $Markdown.Substring(0, $heading.Index) + $updated + $Markdown.Substring($end)
}

Push-Location $work
try {
    $keyFile = Join-Path $work 'app_key'
    [System.IO.File]::WriteAllText($keyFile, "$sampleKey`n")
    if ($PSVersionTable.PSEdition -eq 'Core' -and -not $IsWindows) { & chmod 600 $keyFile }
    Set-Content -LiteralPath (Join-Path $work 'secrets.csv') -Value 'Name,PlainText', 'db,sample-db-password', 'smtp,sample-smtp-password'

    # The files the Get-FletTokenInfo examples read. tokens.txt: the db token, one token from more than a year ago,
    # three made together with one salt (-ReuseSalt), and the db token with its last seven characters lost.
    $null = Protect-FletString 'load the cipher' -Iterations 1
    $cipher = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'FletSecret.Module.Cipher' }
    $passphrase = $cipher.GetType('FletSecret.Cipher.FletPassphrase')::new($sampleKey)
    $now = [DateTimeOffset]::UtcNow
    $dbKey = $passphrase.CreateKey(600000)
    $dbToken = New-SampleToken $dbKey 'sample-db-password' $now.AddMinutes(-72)
    $oldToken = New-SampleToken $passphrase.CreateKey(100000) 'sample-legacy-password' $now.AddDays(-437)
    $sharedKey = $passphrase.CreateKey(600000)
    $shared = 1..3 | ForEach-Object { New-SampleToken $sharedKey "sample-value-$_" $now.AddMinutes(-10) }
    Set-Content -LiteralPath (Join-Path $work 'db.token') -Value $dbToken
    Set-Content -LiteralPath (Join-Path $work 'tokens.txt') -Value (@($oldToken, $dbToken) + $shared + $dbToken.Substring(0, $dbToken.Length - 7))
    $dbKey.Dispose(); $sharedKey.Dispose(); $passphrase.Dispose()

    foreach ($sample in $samples) {
        $path = Join-Path $docs $sample.File
        $markdown = Get-Content -Raw -LiteralPath $path
        foreach ($number in $sample.Examples) { $markdown = Update-Example $markdown $number }
        $target = if ($OutputPath) { Join-Path $OutputPath $sample.File } else { $path }
        if ($OutputPath) { $null = New-Item -ItemType Directory -Force -Path $OutputPath }
        Set-Content -LiteralPath $target -Value $markdown -NoNewline -Encoding utf8
        Write-Host "Updated examples $($sample.Examples -join ', ') of $($sample.File)$(if ($OutputPath) { " into $OutputPath" })."
    }
}
finally {
    Pop-Location
    $env:FLET_SECRET_KEY = $savedKey
    [cultureinfo]::CurrentCulture = $savedCulture
    Remove-Item -LiteralPath $work -Recurse -Force
}
