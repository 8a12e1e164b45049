<#
.SYNOPSIS
The benchmark that build.ps1 -Task Bench runs: FletSecret side by side with the Python Flet reference and the raw
platform PBKDF2, and its AES-GCM pair beside its Fernet one, as a markdown table of minimum and median per item over -Runs runs, with ratios and targets.

.PARAMETER DocumentPath
A markdown file whose table to replace with this run's: the lines between <!-- bench:begin --> and
<!-- bench:end --> (docs/performance.md, the one place the figures are written; build.ps1 -Task Bench passes it).
#>
param([int] $Runs = 5, [string] $DocumentPath)
$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent $PSScriptRoot
. (Join-Path $root 'tools/Processes.ps1')
$manifest = Join-Path $root 'out/FletSecret/FletSecret.psd1'
Import-Module $manifest -Force

$iterations = 600000
# A benchmark key only; it protects nothing.
$passphrase = 'benchmark passphrase'
$key = ConvertTo-SecureString -String $passphrase -AsPlainText -Force

function Get-Stats {
    param([double[]] $Samples)
    $sorted = $Samples | Sort-Object
    $middle = [int][math]::Floor($sorted.Count / 2)
    $median = if ($sorted.Count % 2) { $sorted[$middle] } else { ($sorted[$middle - 1] + $sorted[$middle]) / 2 }
    [pscustomobject]@{ Min = $sorted[0]; Median = $median }
}

# Runs $Action once to warm up, then $Runs times; returns milliseconds per item.
function Measure-PerItem {
    param([scriptblock] $Action, [int] $Items = 1)
    $null = & $Action
    $samples = foreach ($run in 1..$Runs) {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $null = & $Action
        $watch.Elapsed.TotalMilliseconds / $Items
    }
    Get-Stats $samples
}

function Start-Pwsh {
    param([string] $Command)
    $pwsh = Get-PwshCommand
    $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $Command)
    $output = & $pwsh[0] @arguments
    if ($LASTEXITCODE -ne 0) { throw "A child pwsh failed: $output" }
    $output
}

$rows = [System.Collections.Generic.List[object]]::new()
function Add-Row {
    param([string] $Case, [int] $Items, $Stats, [string] $Unit = 'ms/item', [string] $Ratio = '', [string] $Target = '', [object] $Met = $null)
    $rows.Add([pscustomobject]@{
            Case = $Case; Items = $Items; Min = $Stats.Min; Median = $Stats.Median; Unit = $Unit
            Ratio = $Ratio; Target = $Target; Met = if ($null -eq $Met) { '' } elseif ($Met) { 'yes' } else { 'NO' }
        })
}

Write-Host "Measuring ($Runs runs each, $iterations PBKDF2 iterations, $([Environment]::ProcessorCount) cores)..."

function Format-Ratio([double] $Value, [string] $Against) { '{0:0.00} x {1}' -f $Value, $Against }

# The single-item rows, interleaved: other work on a shared machine then slows every row of a round alike, and the
# ratios hold. Each round runs Python Flet's algorithm (the cryptography package) in a process of its own, the raw
# platform PBKDF2, the cipher's single-chain engine through its C# API, and one warm Protect and Unprotect.
$python = Get-PythonCommand
$saltBytes = [byte[]]::new(16)
$passwordBytes = [System.Text.Encoding]::UTF8.GetBytes($passphrase)
# The first cmdlet call loads the cipher assembly.
$oneToken = Protect-FletString -InputObject 'a secret of a Flet app' -Key $key
$cipher = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'FletSecret.Module.Cipher' }
$deriverType = $cipher.GetType('FletSecret.Cipher.FletKeyDeriver')
$passphraseType = $cipher.GetType('FletSecret.Cipher.FletPassphrase')
$engineName = $deriverType.GetProperty('Engine').GetValue($null)
$apiPassphrase = [Activator]::CreateInstance($passphraseType, @([string]$passphrase))
$singleCases = [ordered]@{
    Raw = { [System.Security.Cryptography.Rfc2898DeriveBytes]::Pbkdf2($passwordBytes, $saltBytes, $iterations, [System.Security.Cryptography.HashAlgorithmName]::SHA256, 32) }
    Native = { $apiPassphrase.DeriveKey($saltBytes, $iterations).Dispose() }
    Protect = { Protect-FletString -InputObject 'a secret of a Flet app' -Key $key }
    Unprotect = { Unprotect-FletString -InputObject $oneToken -Key $key }
}
$samples = @{ PythonEncrypt = [System.Collections.Generic.List[double]]::new(); PythonDecrypt = [System.Collections.Generic.List[double]]::new() }
foreach ($name in $singleCases.Keys) { $samples[$name] = [System.Collections.Generic.List[double]]::new(); $null = & $singleCases[$name] }
$reference = $null
foreach ($run in 1..$Runs) {
    if ($python) {
        $request = @{ secret = $passphrase; runs = 1; iterations = $iterations; tokens = $(if ($run -eq 1) { 32 } else { 0 }) } | ConvertTo-Json -Compress
        $answer = $request | & $python.Source (Join-Path $PSScriptRoot 'flet_reference_bench.py') 2>$null
        if ($LASTEXITCODE -eq 0) {
            $round = ($answer -join '') | ConvertFrom-Json
            if ($run -eq 1) { $reference = $round }
            $samples.PythonEncrypt.Add($round.encrypt_ms[0]); $samples.PythonDecrypt.Add($round.decrypt_ms[0])
        }
    }
    foreach ($name in $singleCases.Keys) {
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $null = & $singleCases[$name]
        $samples[$name].Add($watch.Elapsed.TotalMilliseconds)
    }
}
$apiPassphrase.Dispose()

if ($reference) {
    $pythonEncrypt = Get-Stats $samples.PythonEncrypt
    $pythonDecrypt = Get-Stats $samples.PythonDecrypt
    Add-Row "Python Flet encrypt (reference; $($reference.version))" 1 $pythonEncrypt
    Add-Row 'Python Flet decrypt (reference)' 1 $pythonDecrypt
    $distinctTokens = @($reference.tokens)
    $tokenSource = 'made by Python'
}
else {
    Write-Host 'python3 with the cryptography package is not here: the Python reference rows are left out.'
    $pythonEncrypt = $null
    $pythonDecrypt = $null
    $distinctTokens = 1..32 | ForEach-Object { "token $_" } | Protect-FletString -Key $key
    $tokenSource = 'made by the module'
}

$raw = Get-Stats $samples.Raw
Add-Row 'Raw platform PBKDF2 (Rfc2898DeriveBytes.Pbkdf2)' 1 $raw
$native = Get-Stats $samples.Native
Add-Row "Single-chain engine: FletPassphrase.DeriveKey, C# API ($engineName)" 1 $native -Ratio (Format-Ratio ($native.Median / $raw.Median) 'raw PBKDF2')

# One warm item against Python Flet's encrypt (issue 11's target) where Python ran, else against the engine alone.
function Add-SingleRow([string] $Case, $Stats) {
    if ($pythonEncrypt) {
        $ratio = $Stats.Median / $pythonEncrypt.Median
        Add-Row $Case 1 $Stats -Ratio (Format-Ratio $ratio 'Python encrypt') -Target '<= 0.75 x Python encrypt' -Met ($ratio -le 0.75)
    }
    else {
        $ratio = $Stats.Median / $native.Median
        Add-Row $Case 1 $Stats -Ratio (Format-Ratio $ratio 'single-chain engine') -Target '<= 1.10 x engine' -Met ($ratio -le 1.10)
    }
}
$single = Get-Stats $samples.Protect
Add-SingleRow 'Protect-FletString, 1 item, warm session' $single
$singleOpen = Get-Stats $samples.Unprotect
Add-SingleRow 'Unprotect-FletString, 1 item, warm session' $singleOpen

# The first call in a fresh session (after Import-Module) against Python's first encrypt after its imports, each in
# a new process, alternating.
$firstScript = @"
Import-Module '$manifest'
`$key = ConvertTo-SecureString -String '$passphrase' -AsPlainText -Force
`$watch = [Diagnostics.Stopwatch]::StartNew()
`$null = Protect-FletString -InputObject 'a secret of a Flet app' -Key `$key
`$watch.Elapsed.TotalMilliseconds
"@
$firstPwsh = [System.Collections.Generic.List[double]]::new()
$firstPython = [System.Collections.Generic.List[double]]::new()
foreach ($run in 1..$Runs) {
    $firstPwsh.Add([double](Start-Pwsh $firstScript | Select-Object -Last 1))
    if ($python) {
        $request = @{ secret = $passphrase; runs = 0; iterations = $iterations; tokens = 0 } | ConvertTo-Json -Compress
        $answer = $request | & $python.Source (Join-Path $PSScriptRoot 'flet_reference_bench.py') 2>$null
        if ($LASTEXITCODE -eq 0) { $firstPython.Add((($answer -join '') | ConvertFrom-Json).first_ms) }
    }
}
$firstStats = Get-Stats $firstPwsh
if ($firstPython.Count -gt 0) {
    $firstPythonStats = Get-Stats $firstPython
    Add-Row 'Python Flet, first encrypt after import (fresh process)' 1 $firstPythonStats
    $ratio = $firstStats.Median / $firstPythonStats.Median
    Add-Row 'Protect-FletString, 1 item, first call in a fresh session' 1 $firstStats -Ratio (Format-Ratio $ratio 'Python first') -Target '<= 1.0 x Python first' -Met ($ratio -le 1.0)
}
else {
    Add-Row 'Protect-FletString, 1 item, first call in a fresh session' 1 $firstStats
}

# Flet's AES-GCM pair beside the Fernet one. Each GCM measurement runs interleaved with its Fernet twin (one of each
# per round, in this one process), so that load from other processes falls on both alike: the ratio is the figure.
function Measure-Interleaved {
    param([scriptblock] $First, [scriptblock] $Second, [int] $Items = 1)
    $null = & $First; $null = & $Second
    $a = [System.Collections.Generic.List[double]]::new(); $b = [System.Collections.Generic.List[double]]::new()
    foreach ($run in 1..$Runs) {
        $watch = [Diagnostics.Stopwatch]::StartNew(); $null = & $First; $a.Add($watch.Elapsed.TotalMilliseconds / $Items)
        $watch = [Diagnostics.Stopwatch]::StartNew(); $null = & $Second; $b.Add($watch.Elapsed.TotalMilliseconds / $Items)
    }
    (Get-Stats $a), (Get-Stats $b)
}

$fernetOne, $gcmOne = Measure-Interleaved { Protect-FletString -InputObject 'a secret of a Flet app' -Key $key } { Protect-FletString -InputObject 'a secret of a Flet app' -Key $key -Algorithm AesGcm }
$ratio = $gcmOne.Median / $fernetOne.Median
Add-Row 'Protect-FletString -Algorithm AesGcm, 1 item (interleaved with Fernet)' 1 $gcmOne -Ratio (Format-Ratio $ratio 'Fernet, 1 item') -Target '0.9 to 1.1 x Fernet' -Met ($ratio -ge 0.9 -and $ratio -le 1.1)
$gcmToken = Protect-FletString -InputObject 'a secret of a Flet app' -Key $key -Algorithm AesGcm
$fernetOpen, $gcmOpen = Measure-Interleaved { Unprotect-FletString -InputObject $oneToken -Key $key } { Unprotect-FletString -InputObject $gcmToken -Key $key }
$ratio = $gcmOpen.Median / $fernetOpen.Median
Add-Row 'Unprotect-FletString, 1 AES-GCM token (interleaved with Fernet)' 1 $gcmOpen -Ratio (Format-Ratio $ratio 'Fernet, 1 item') -Target '0.9 to 1.1 x Fernet' -Met ($ratio -ge 0.9 -and $ratio -le 1.1)

# The cipher alone, with the derivation out of the way (-Iterations 1000): a 10 MB string through both pairs.
$text10MB = [string]::new([char]'a', 10MB)
$fernetBig, $gcmBig = Measure-Interleaved {
    $t = Protect-FletString -InputObject $text10MB -Key $key -Iterations 1000
    if ((Unprotect-FletString -InputObject $t -Key $key -Iterations 1000) -cne $text10MB) { throw 'Fernet round trip failed' }
} {
    $t = Protect-FletString -InputObject $text10MB -Key $key -Iterations 1000 -Algorithm AesGcm
    if ((Unprotect-FletString -InputObject $t -Key $key -Iterations 1000) -cne $text10MB) { throw 'AES-GCM round trip failed' }
}
Add-Row '10 MB string round trip, Fernet (1000 iterations)' 1 $fernetBig -Unit 'ms'
$ratio = $gcmBig.Median / $fernetBig.Median
Add-Row '10 MB string round trip, AesGcm (1000 iterations, interleaved)' 1 $gcmBig -Unit 'ms' -Ratio (Format-Ratio $ratio 'Fernet') -Target '<= 1.0 x Fernet' -Met ($ratio -le 1.0)
$text10MB = $null

# A 32-item pipeline: its row against a single item (issue 6's target) and, where Python ran, against Python Flet.
function Add-PipelineRows([string] $Case, $Stats, $Single, $Python, [string] $PythonName) {
    $ratio = $Stats.Median / $Single.Median
    Add-Row $Case 32 $Stats -Ratio (Format-Ratio $ratio 'single item') -Target '<= 0.6 x single item' -Met ($ratio -le 0.6)
    if ($Python) {
        $ratio = $Stats.Median / $Python.Median
        Add-Row '  the same, against Python Flet' 32 $Stats -Ratio (Format-Ratio $ratio $PythonName) -Target '<= 0.5 x Python' -Met ($ratio -le 0.5)
    }
}

$plain32 = 1..32 | ForEach-Object { "secret number $_" }
$fresh = Measure-PerItem { $plain32 | Protect-FletString -Key $key } -Items 32
Add-PipelineRows 'Protect-FletString, 32 fresh-salt items in one pipeline' $fresh $single $pythonEncrypt 'Python encrypt'
$distinct = Measure-PerItem { $distinctTokens | Unprotect-FletString -Key $key } -Items 32
Add-PipelineRows "Unprotect-FletString, 32 distinct-salt tokens ($tokenSource)" $distinct $singleOpen $pythonDecrypt 'Python decrypt'

# Update-FletString: one rotation is one decryption (old key) and one encryption (new key), both in SIMD batches, so
# 32 rotations should cost about a 32-item Protect plus a 32-item Unprotect.
$newKey = ConvertTo-SecureString -String 'benchmark new passphrase' -AsPlainText -Force
foreach ($pair in 'Fernet', 'AesGcm') {
    $pairTokens = $plain32 | Protect-FletString -Key $key -Algorithm $pair
    $rotation = Measure-PerItem { $pairTokens | Update-FletString -Key $key -NewKey $newKey } -Items 32
    $ratio = $rotation.Median / ($fresh.Median + $distinct.Median)
    Add-Row "Update-FletString, 32 $pair tokens (distinct salts) to a new key" 32 $rotation -Ratio (Format-Ratio $ratio 'Protect + Unprotect, 32 items') -Target '<= 1.1 x Protect + Unprotect' -Met ($ratio -le 1.1)
}

# The same two pipelines with the SIMD engine switched off (FLETSECRET_SIMD=0): one chain at a time on every core.
$tokensFile = Join-Path ([System.IO.Path]::GetTempPath()) "fletsecret-bench-$PID.txt"
Set-Content -LiteralPath $tokensFile -Value $distinctTokens
$platformScript = @"
Import-Module '$manifest'
`$key = ConvertTo-SecureString -String '$passphrase' -AsPlainText -Force
`$plain = 1..32 | ForEach-Object { "secret number `$_" }
`$tokens = Get-Content -LiteralPath '$tokensFile'
`$null = `$plain | Protect-FletString -Key `$key; `$null = `$tokens | Unprotect-FletString -Key `$key
`$protect = foreach (`$run in 1..$Runs) { `$w = [Diagnostics.Stopwatch]::StartNew(); `$null = `$plain | Protect-FletString -Key `$key; `$w.Elapsed.TotalMilliseconds / 32 }
`$unprotect = foreach (`$run in 1..$Runs) { `$w = [Diagnostics.Stopwatch]::StartNew(); `$null = `$tokens | Unprotect-FletString -Key `$key; `$w.Elapsed.TotalMilliseconds / 32 }
@{ Protect = `$protect; Unprotect = `$unprotect } | ConvertTo-Json -Compress
"@
$env:FLETSECRET_SIMD = '0'
try { $platformOnly = (Start-Pwsh $platformScript | Select-Object -Last 1) | ConvertFrom-Json }
finally { $env:FLETSECRET_SIMD = $null; Remove-Item -LiteralPath $tokensFile -ErrorAction SilentlyContinue }
$platformProtect = Get-Stats $platformOnly.Protect
$platformUnprotect = Get-Stats $platformOnly.Unprotect
Add-Row '  Protect, 32 fresh-salt items, SIMD engine off (FLETSECRET_SIMD=0)' 32 $platformProtect -Ratio (Format-Ratio ($fresh.Median / $platformProtect.Median) 'SIMD on / off')
Add-Row '  Unprotect, 32 distinct-salt tokens, SIMD engine off' 32 $platformUnprotect -Ratio (Format-Ratio ($distinct.Median / $platformUnprotect.Median) 'SIMD on / off')

# Fresh-salt pipelines of several sizes, the planner's engine choice (default) against one chain at a time on every
# core (FLETSECRET_SIMD=0), each in fresh processes that alternate round by round, so that both see the same machine.
# Each process runs every size once to warm up (PowerShell's JIT in the background holds a core for the first seconds
# of a process; the cipher measures its engine costs), then times every size once; the Unprotect rows open the
# distinct-salt tokens of the warm-up.
$sizes = 4, 12, 24, 32, 64
$openSizes = 32, 64 # Unprotect of distinct-salt tokens (made by the warm-up) too, for the two sizes with a Python target
$sizesScript = @"
Import-Module '$manifest'
`$key = ConvertTo-SecureString -String '$passphrase' -AsPlainText -Force
`$tokens = @{}
foreach (`$n in $($sizes -join ', ')) { `$tokens["`$n"] = @(1..`$n | ForEach-Object { "warm up `$_" } | Protect-FletString -Key `$key) }
foreach (`$n in $($openSizes -join ', ')) { `$null = `$tokens["`$n"] | Unprotect-FletString -Key `$key }
`$times = [ordered]@{}
foreach (`$n in $($sizes -join ', ')) {
    `$plain = 1..`$n | ForEach-Object { "secret number `$_" }
    `$w = [Diagnostics.Stopwatch]::StartNew(); `$null = `$plain | Protect-FletString -Key `$key
    `$times["`$n"] = `$w.Elapsed.TotalMilliseconds / `$n
}
foreach (`$n in $($openSizes -join ', ')) {
    `$w = [Diagnostics.Stopwatch]::StartNew(); `$null = `$tokens["`$n"] | Unprotect-FletString -Key `$key
    `$times["open `$n"] = `$w.Elapsed.TotalMilliseconds / `$n
}
`$times | ConvertTo-Json -Compress
"@
$cases = @($sizes | ForEach-Object { "$_" }) + @($openSizes | ForEach-Object { "open $_" })
$bySize = @{ Default = @{}; Off = @{} }
foreach ($case in $cases) { $bySize.Default[$case] = [System.Collections.Generic.List[double]]::new(); $bySize.Off[$case] = [System.Collections.Generic.List[double]]::new() }
foreach ($run in 1..$Runs) {
    foreach ($mode in 'Default', 'Off') {
        $env:FLETSECRET_SIMD = if ($mode -eq 'Off') { '0' } else { $null }
        try { $times = (Start-Pwsh $sizesScript | Select-Object -Last 1) | ConvertFrom-Json }
        finally { $env:FLETSECRET_SIMD = $null }
        foreach ($case in $cases) { $bySize[$mode][$case].Add([double]$times.$case) }
    }
}
foreach ($n in $sizes) {
    $on = Get-Stats $bySize.Default["$n"]
    $off = Get-Stats $bySize.Off["$n"]
    $ratio = $on.Median / $off.Median
    Add-Row "Protect-FletString, $n fresh-salt items, engines as planned (fresh processes)" $n $on -Ratio (Format-Ratio $ratio 'SIMD off') -Target '<= 1.10 x SIMD off' -Met ($ratio -le 1.10)
    Add-Row "  the same, SIMD engine off (FLETSECRET_SIMD=0)" $n $off
    $goal = @{ 32 = 0.12; 64 = 0.10 }[$n]
    if ($goal -and $pythonEncrypt) {
        $ratio = $on.Median / $pythonEncrypt.Median
        Add-Row "  the same, against Python Flet" $n $on -Ratio (Format-Ratio $ratio 'Python encrypt') -Target "<= $goal x Python" -Met ($ratio -le $goal)
    }
}
foreach ($n in $openSizes) {
    $on = Get-Stats $bySize.Default["open $n"]
    $off = Get-Stats $bySize.Off["open $n"]
    $ratio = $on.Median / $off.Median
    Add-Row "Unprotect-FletString, $n distinct-salt tokens, engines as planned (fresh processes)" $n $on -Ratio (Format-Ratio $ratio 'SIMD off') -Target '<= 1.10 x SIMD off' -Met ($ratio -le 1.10)
    Add-Row "  the same, SIMD engine off (FLETSECRET_SIMD=0)" $n $off
    $goal = @{ 32 = 0.12; 64 = 0.10 }[$n]
    if ($pythonDecrypt) {
        $ratio = $on.Median / $pythonDecrypt.Median
        Add-Row "  the same, against Python Flet" $n $on -Ratio (Format-Ratio $ratio 'Python decrypt') -Target "<= $goal x Python" -Met ($ratio -le $goal)
    }
}

# The engine through the C# API, without PowerShell: 32 derivations on FletKeyDeriver.
$lanes = $deriverType.GetProperty('SimdLanes').GetValue($null)
$apiPassphrase = [Activator]::CreateInstance($passphraseType, @([string]$passphrase))
$engine = Measure-PerItem {
    $deriver = [Activator]::CreateInstance($deriverType, @($apiPassphrase, [Environment]::ProcessorCount))
    try {
        $tasks = foreach ($i in 1..32) { $deriver.CreateKeyAsync($iterations) }
        foreach ($task in $tasks) { $task.GetAwaiter().GetResult().Dispose() }
    }
    finally { $deriver.Dispose() }
} -Items 32
$apiPassphrase.Dispose()
Add-Row "FletKeyDeriver (C# API), 32 derivations, $lanes SIMD lanes per thread" 32 $engine -Ratio (Format-Ratio ($engine.Median / $raw.Median) 'raw PBKDF2')

$plain10k = 1..10000 | ForEach-Object { "row $_ secret value" }
$reuse = Measure-PerItem { $plain10k | Protect-FletString -Key $key -ReuseSalt } -Items 10000
$sameSalt = $plain10k | Protect-FletString -Key $key -ReuseSalt
$sameOpen = Measure-PerItem { $sameSalt | Unprotect-FletString -Key $key } -Items 10000
if ($pythonEncrypt) {
    $ratio = $pythonEncrypt.Median / $reuse.Median
    Add-Row 'Protect-FletString -ReuseSalt, 10000 items' 10000 $reuse -Ratio ('{0:0} x Python throughput' -f $ratio) -Target '>= 100 x Python throughput' -Met ($ratio -ge 100)
    $ratio = $pythonDecrypt.Median / $sameOpen.Median
    Add-Row 'Unprotect-FletString, 10000 same-salt tokens' 10000 $sameOpen -Ratio ('{0:0} x Python throughput' -f $ratio) -Target '>= 100 x Python throughput' -Met ($ratio -ge 100)
}
else {
    Add-Row 'Protect-FletString -ReuseSalt, 10000 items' 10000 $reuse
    Add-Row 'Unprotect-FletString, 10000 same-salt tokens' 10000 $sameOpen
}

# What Import-Module adds to a pwsh -NoProfile start: fresh processes, medians compared. Process starts are noisy, so
# this takes at least 10 rounds of the three starts, in an order that rotates each round, so that no row always
# follows the same other one (this VM showed such order effects of 10 to 20 ms). The third start imports an empty
# script module, for scale: FletSecret's binary root module costs about what a .psm1 with nothing in it does.
$emptyModule = Join-Path ([System.IO.Path]::GetTempPath()) "fletsecret-bench-empty-$PID"
$null = New-Item -ItemType Directory -Force -Path $emptyModule
Set-Content -LiteralPath (Join-Path $emptyModule 'Empty.psm1') -Value ''
Set-Content -LiteralPath (Join-Path $emptyModule 'Empty.psd1') -Value "@{ RootModule = 'Empty.psm1'; ModuleVersion = '1.0.0'; GUID = '$([guid]::NewGuid())' }"
$starts = @(
    @{ Command = 'exit 0'; Times = [System.Collections.Generic.List[double]]::new() }
    @{ Command = "Import-Module '$manifest'; exit 0"; Times = [System.Collections.Generic.List[double]]::new() }
    @{ Command = "Import-Module '$emptyModule/Empty.psd1'; exit 0"; Times = [System.Collections.Generic.List[double]]::new() }
)
foreach ($round in 0..[math]::Max(10, 2 * $Runs)) {
    foreach ($position in 0..2) {
        $start = $starts[($round + $position) % 3]
        $watch = [Diagnostics.Stopwatch]::StartNew(); $null = Start-Pwsh $start.Command
        if ($round -gt 0) { $start.Times.Add($watch.Elapsed.TotalMilliseconds) } # round 0 warms the disk cache
    }
}
$bare = $starts[0].Times; $withModule = $starts[1].Times; $withEmpty = $starts[2].Times
Remove-Item -LiteralPath $emptyModule -Recurse -Force
$bareStats = Get-Stats $bare
# The cost of each round against the bare start of the same round: a minimum and a median of one set of differences
# (a difference of two minima can exceed the difference of the medians).
$importCost = Get-Stats @(for ($i = 0; $i -lt $bare.Count; $i++) { $withModule[$i] - $bare[$i] })
$emptyCost = Get-Stats @(for ($i = 0; $i -lt $bare.Count; $i++) { $withEmpty[$i] - $bare[$i] })
Add-Row "Import-Module FletSecret, added to pwsh -NoProfile start ($('{0:0}' -f $bareStats.Median) ms bare)" 1 $importCost -Unit 'ms' -Target '<= 100 ms' -Met ($importCost.Median -le 100)
Add-Row '  Import-Module of an empty script module, for comparison' 1 $emptyCost -Unit 'ms'

# Peak working set of a 10 MB string round trip, above the process's baseline, in fresh processes.
$size = 10MB
$memoryScript = @"
Import-Module '$manifest'
`$key = ConvertTo-SecureString -String 'memory bench' -AsPlainText -Force
`$null = 'warm up' | Protect-FletString -Key `$key -Iterations 1000 | Unprotect-FletString -Key `$key -Iterations 1000
`$text = [string]::new([char]'a', $size)
[GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
`$process = [System.Diagnostics.Process]::GetCurrentProcess()
`$baseline = `$process.WorkingSet64
`$token = Protect-FletString -InputObject `$text -Key `$key -Iterations 1000
`$back = Unprotect-FletString -InputObject `$token -Key `$key -Iterations 1000
`$process.Refresh()
if (`$back -cne `$text) { throw 'round trip failed' }
(`$process.PeakWorkingSet64 - `$baseline) / 1MB
"@
$peaks = foreach ($run in 1..$Runs) { [double](Start-Pwsh $memoryScript | Select-Object -Last 1) }
$peakStats = Get-Stats $peaks
$peakRatio = [pscustomobject]@{ Min = $peakStats.Min / ($size / 1MB); Median = $peakStats.Median / ($size / 1MB) }
Add-Row ("10 MB string round trip: peak working set above baseline ({0:0} MiB median)" -f $peakStats.Median) 1 $peakRatio -Unit 'x input' -Target '<= 8 x input' -Met ($peakRatio.Median -le 8)

$cpu = (Get-Content /proc/cpuinfo -ErrorAction SilentlyContinue | Where-Object { $_ -like 'model name*' } | Select-Object -First 1) -replace '^model name\s*:\s*', ''
# What the figures depend on most: the SIMD width the engine uses and whether the single chain has SHA instructions.
$flags = (Get-Content /proc/cpuinfo -ErrorAction SilentlyContinue | Where-Object { $_ -like 'flags*' } | Select-Object -First 1) -split '\s+'
$simd = if ([System.Runtime.Intrinsics.X86.Avx512F]::IsSupported) { 'AVX-512' } elseif ([System.Runtime.Intrinsics.X86.Avx2]::IsSupported) { 'AVX2' } else { 'no x86 SIMD' }
$sha = if (-not $flags) { 'SHA-NI unknown' } elseif ($flags -contains 'sha_ni') { 'SHA-NI' } else { 'no SHA-NI' }
# OpenSSL (the single chain, the platform PBKDF2 and Python's) leaves out what this masks, SHA-NI for instance.
if ($env:OPENSSL_ia32cap) { $sha += ", OPENSSL_ia32cap=$env:OPENSSL_ia32cap" }
$cpu = "$(if ($cpu) { $cpu } else { 'processor unnamed' }) ($simd, $lanes SIMD lanes per batch, $sha)"
$pythonNote = if ($reference) { "; the Python rows are Flet's own algorithm, PBKDF2HMAC and Fernet from the ``cryptography`` package" } else { '' }
$lines = @(
    "From one run of ``./build.ps1 -Task Bench`` on $((Get-Date).ToUniversalTime().ToString('yyyy-MM-dd')) (times per item unless the unit says otherwise; ratios"
    "are of medians$pythonNote):"
    ''
    '```'
    "FletSecret $((Get-Module FletSecret).Version) on PowerShell $($PSVersionTable.PSVersion), .NET $([Environment]::Version), $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription)"
    "$([Environment]::ProcessorCount) cores$(if ($cpu) { ", $cpu" }); $Runs runs each; $iterations PBKDF2 iterations unless noted."
    '```'
    ''
    '| Case | Items | Min | Median | Unit | Ratio (median) | Target | Met |'
    '|---|---:|---:|---:|---|---|---|---|'
    foreach ($row in $rows) {
        '| {0} | {1} | {2:0.000} | {3:0.000} | {4} | {5} | {6} | {7} |' -f $row.Case, $row.Items, $row.Min, $row.Median, $row.Unit, $row.Ratio, $row.Target, $row.Met
    }
)
Write-Host ''
$lines | ForEach-Object { Write-Host $_ }
if ($DocumentPath) {
    $document = Get-Content -Raw -LiteralPath $DocumentPath
    $pattern = '(?s)(<!-- bench:begin -->\r?\n).*?(\r?\n<!-- bench:end -->)'
    if ($document -notmatch $pattern) { throw "$DocumentPath has no <!-- bench:begin --> ... <!-- bench:end --> section." }
    $document = [regex]::Replace($document, $pattern, { param($m) $m.Groups[1].Value + ($lines -join "`n") + $m.Groups[2].Value })
    Set-Content -LiteralPath $DocumentPath -Value $document -NoNewline -Encoding utf8
    Write-Host "Wrote the table into $DocumentPath."
}
