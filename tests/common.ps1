# Shared setup for every *.Tests.ps1: dot-source it in BeforeAll.
# Imports the built module from out/FletSecret (build.ps1 -Task Build makes it) unless it is already loaded, or the
# module that FLETSECRET_TEST_MODULE names (the path of an installed FletSecret.psd1: CI tests the package that way).
$ErrorActionPreference = 'Stop'
$script:RepoRoot = Split-Path -Parent $PSScriptRoot
. (Join-Path $RepoRoot 'tools/Processes.ps1')
$script:ModuleManifest = if ($env:FLETSECRET_TEST_MODULE) { $env:FLETSECRET_TEST_MODULE } else { Join-Path $RepoRoot 'out/FletSecret/FletSecret.psd1' }
if (-not (Get-Module -Name FletSecret)) {
    if (-not (Test-Path -LiteralPath $ModuleManifest)) {
        if ($env:FLETSECRET_TEST_MODULE) { throw "FLETSECRET_TEST_MODULE names no file: $ModuleManifest." }
        throw "Build first: ./build.ps1 -Task Build (no $ModuleManifest)."
    }
    Import-Module $ModuleManifest -Force
}
if (-not (Get-Variable -Name IsWindows -ErrorAction SilentlyContinue)) { $script:IsWindows = $true }

# The Flet vectors (made with Python's cryptography), copied from the shared vectors.
$script:FletVectors = (Get-Content -Raw -LiteralPath (Join-Path $PSScriptRoot 'data/flet-vectors.json') | ConvertFrom-Json).cases

# Tests use few iterations unless the count itself is under test: each 600000-iteration derivation costs ~0.2 s.
$script:FastIterations = 1000

function New-TestKey {
    param([string] $Text = 'pester key ' + [guid]::NewGuid())
    ConvertTo-SecureString -String $Text -AsPlainText -Force
}

# $null when python3 with the cryptography package can run the Flet reference; else the reason it cannot.
function Get-PythonSkipReason {
    $python = Get-PythonCommand
    if (-not $python) { return 'python3 is not on PATH' }
    $null = & $python.Source -c 'import cryptography' 2>&1
    if ($LASTEXITCODE -ne 0) { return "$($python.Source) has no 'cryptography' package" }
    $null
}

# Runs Flet's algorithm in Python (tests/data/flet_reference.py). Secrets travel on stdin as JSON, never on a command line.
function Invoke-FletPython {
    param([Parameter(Mandatory)] [hashtable] $Request)
    $python = Get-PythonCommand
    $script = Join-Path $PSScriptRoot 'data/flet_reference.py'
    $json = $Request | ConvertTo-Json -Compress -Depth 5
    $output = $json | & $python.Source $script
    if ($LASTEXITCODE -ne 0) { throw "flet_reference.py failed with exit code $LASTEXITCODE." }
    ($output -join "`n") | ConvertFrom-Json
}

# Every record of every stream a call wrote, flattened to text, to search for a secret in.
function Get-AllStreamText {
    param([object[]] $Records)
    foreach ($record in $Records) {
        if ($null -eq $record) { continue }
        "$record"
        if ($record -is [System.Management.Automation.ErrorRecord]) {
            "$($record.TargetObject)"
            "$($record.ErrorDetails)"
            "$($record.ErrorDetails.RecommendedAction)"
            $record.Exception.ToString()
            foreach ($key in $record.Exception.Data.Keys) { "$key=$($record.Exception.Data[$key])" }
            "$($record.CategoryInfo)"
            "$($record.InvocationInfo.Line)"
        }
        elseif ($record -is [System.Management.Automation.InformationRecord]) { "$($record.MessageData)" }
        elseif ($record -is [System.Management.Automation.VerboseRecord] -or $record -is [System.Management.Automation.WarningRecord] -or $record -is [System.Management.Automation.DebugRecord]) { $record.Message }
    }
}

# Runs a script in a fresh PowerShell process (the same PowerShell as this one) with extra environment variables,
# which may be empty (a parent can hand a child an empty variable; a running .NET process cannot make one).
function Invoke-ChildPwsh {
    param([Parameter(Mandatory)] [string] $Script, [hashtable] $Environment = @{})
    $pwsh = Get-PwshCommand
    $info = [System.Diagnostics.ProcessStartInfo]::new($pwsh[0])
    # A script file, not -Command -: commands read from stdin make pwsh write terminal escape sequences.
    $file = Join-Path ([System.IO.Path]::GetTempPath()) "fletsecret-child-$([guid]::NewGuid()).ps1"
    Set-Content -LiteralPath $file -Value $Script -Encoding utf8
    $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', $file)
    if ($info.PSObject.Properties['ArgumentList']) { foreach ($argument in $arguments) { $info.ArgumentList.Add($argument) } }
    else {
        # Windows PowerShell 5.1 (.NET Framework) has no ArgumentList: one command line, each argument quoted.
        $info.Arguments = ($arguments | ForEach-Object { '"' + $_ + '"' }) -join ' '
    }
    foreach ($name in $Environment.Keys) { $info.Environment[$name] = $Environment[$name] }
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.UseShellExecute = $false
    try {
        $process = [System.Diagnostics.Process]::Start($info)
        $stderr = $process.StandardError.ReadToEndAsync()
        $stdout = $process.StandardOutput.ReadToEnd()
        $process.WaitForExit()
    }
    finally { Remove-Item -LiteralPath $file -ErrorAction SilentlyContinue }
    [pscustomobject]@{ ExitCode = $process.ExitCode; Output = $stdout; Error = $stderr.Result }
}
